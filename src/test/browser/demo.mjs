// Drives the demo page in headless Chromium: log in, wait until the feed is live, post through the page,
// have a followed author post through the REST API and see both posts appear without a reload; then drop
// the page's WebSocket, let the author post while the page is away, and see every post arrive exactly once
// when the page has reconnected and resumed. Last, a page whose WebSockets cannot open at all falls back to
// Server-Sent Events and still shows posts live.
// Usage: node demo.mjs BASE_URL EMAIL PASSWORD AUTHOR_ID AUTHOR_TOKEN SCREENSHOT
// The browser is Debian's /usr/bin/chromium (playwright-core downloads none).
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [baseUrl, email, password, authorId, authorToken, screenshot] = process.argv.slice(2);
const timeout = 30000;

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function postAsAuthor(text) {
  const response = await fetch(`${baseUrl}/v1/posts`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${authorToken}` },
    body: JSON.stringify({ text }),
  });
  check(response.status === 201, `the author's post failed: ${response.status}`);
  return (await response.json()).id;
}

// Without these flags (and a fresh profile) Chromium waits on the network for things a closed network never
// answers: component updates, sync, QUIC probes.
const profile = mkdtempSync(join(tmpdir(), 'spillway-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  // Every WebSocket the page opens is recorded (frames sent and received), and can be kept "offline": while
  // it is, new connections go to a path the server refuses, as when the network is gone.
  await context.addInitScript(() => {
    const Native = window.WebSocket;
    // ?websocket=blocked: no WebSocket of this page ever opens (as behind a proxy that refuses upgrades).
    const probe = { sockets: [], sent: [], received: [], offline: location.search.includes('websocket=blocked'),
      Native, eventSources: [] };
    const NativeEventSource = window.EventSource;
    window.EventSource = class extends NativeEventSource {
      constructor(url, init) {
        super(url, init);
        probe.eventSources.push(String(url));
      }
    };
    window.__stream = probe;
    window.WebSocket = class extends Native {
      constructor(url, protocols) {
        super(probe.offline ? String(url).replace('/v1/stream', '/v1/offline') : url, protocols);
        const socket = probe.sockets.length;
        probe.sockets.push(this);
        this.addEventListener('message', (m) => probe.received.push({ socket, frame: JSON.parse(m.data) }));
      }

      send(data) {
        probe.sent.push({ socket: probe.sockets.indexOf(this), frame: JSON.parse(data) });
        super.send(data);
      }
    };
  });
  const page = context.pages()[0] || await context.newPage();
  page.on('console', (m) => console.log(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => console.log(`pageerror: ${e.message}`));
  await page.goto(baseUrl + '/', { timeout });
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('#login-form button[type=submit]');
  await page.waitForFunction(() => document.getElementById('me-id').textContent.length > 0, null, { timeout });
  const myId = (await page.textContent('#me-id')).trim();
  await page.waitForSelector(`body[data-subscribed~="posts:${myId}"]`, { timeout });
  await page.waitForSelector(`body[data-subscribed~="posts:${authorId}"]`, { timeout });
  console.log('live');

  // A post of my own, through the page's form: it shows up when the stream delivers it.
  const mine = `from the browser ${Date.now()}`;
  await page.fill('#post-text', mine);
  await page.click('#post-form button[type=submit]');
  await page.waitForSelector(`#feed li.live:has-text("${mine}")`, { timeout });
  console.log('own post appeared live');

  // A followed author posts elsewhere (REST): it appears in this page, pushed over the WebSocket.
  const theirs = `from the author ${Date.now()}`;
  const theirsId = await postAsAuthor(theirs);
  await page.waitForSelector(`#feed li.live:has-text("${theirs}")`, { timeout });
  console.log('followed author post appeared live');

  // The connection drops, and the page cannot reconnect for a while.
  const channel = `posts:${authorId}`;
  const { dropped, lastOffset } = await page.evaluate((channel) => {
    const probe = window.__stream;
    const offsets = probe.received.filter((r) => r.frame.channel === channel && r.frame.offset !== undefined)
      .map((r) => BigInt(r.frame.offset));
    probe.offline = true;
    const dropped = probe.sockets.length - 1;
    probe.sockets[dropped].close();
    return { dropped, lastOffset: String(offsets.reduce((a, b) => (b > a ? b : a), -1n)) };
  }, channel);
  await page.waitForFunction(() => document.getElementById('status').textContent !== 'open', null, { timeout });

  // While it is away the author posts three times. A socket of the test's own, outside the page, sees them
  // go by, so they are in the channel's history before the page comes back.
  await page.evaluate(async ({ token, channel }) => {
    // Like the page's own client: a single-use ticket, never the token, in the URL.
    const answer = await fetch('/v1/stream/ticket', { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    const { ticket } = await answer.json();
    return await new Promise((resolve, reject) => {
      const ws = new window.__stream.Native(`${location.origin.replace(/^http/, 'ws')}/v1/stream?ticket=${ticket}`);
      window.__observer = { ws, events: [] };
      ws.onerror = () => reject(new Error('the observer could not connect'));
      ws.onopen = () => ws.send(JSON.stringify({ op: 'subscribe', channel }));
      ws.onmessage = (m) => {
        const frame = JSON.parse(m.data);
        if (frame.op === 'subscribed') resolve();
        if (frame.op === 'event') window.__observer.events.push(frame.event.data.postId);
      };
    });
  }, { token: authorToken, channel });
  const away = [];
  for (let i = 1; i <= 3; i++) {
    const text = `while the page was away ${i} ${Date.now()}`;
    away.push({ text, id: await postAsAuthor(text) });
  }
  await page.waitForFunction((ids) => ids.every((id) => window.__observer.events.includes(id)),
    away.map((p) => p.id), { timeout });
  for (const { text } of away) {
    check(await page.locator('#feed li', { hasText: text }).count() === 0, `"${text}" reached the page while it was away`);
  }
  console.log('posted while away');

  // Back online: the page reconnects by itself, resumes from the last offset it saw, and gets what it missed.
  await page.evaluate(() => { window.__stream.offline = false; window.__observer.ws.close(); });
  for (const { text } of away) {
    await page.waitForSelector(`#feed li.live:has-text("${text}")`, { timeout });
  }
  const after = `after the reconnect ${Date.now()}`;
  const afterId = await postAsAuthor(after);
  await page.waitForSelector(`#feed li.live:has-text("${after}")`, { timeout });

  // Exactly once on the page, each delivered by the stream (li.live; a reset would have reloaded them over REST).
  for (const text of [theirs, ...away.map((p) => p.text), after]) {
    const shown = await page.locator('#feed li', { hasText: text }).count();
    check(shown === 1, `"${text}" is shown ${shown} times`);
    check(await page.locator('#feed li.live', { hasText: text }).count() === 1, `"${text}" did not come live`);
  }
  // And exactly once on the wire: the page drops duplicates, so look at what the server sent.
  const wire = await page.evaluate(({ channel, dropped }) => {
    const probe = window.__stream;
    const events = probe.received.filter((r) => r.frame.op === 'event' && r.frame.channel === channel)
      .map((r) => ({ socket: r.socket, id: r.frame.event.data.postId }));
    const resumed = probe.sockets.length - 1;
    const frames = probe.received.filter((r) => r.socket === resumed).map((r) => r.frame);
    const resubscribe = probe.sent.find((s) => s.socket === resumed && s.frame.op === 'subscribe'
      && s.frame.channel === channel);
    return {
      events, resumed, frames, dropped,
      since: resubscribe ? resubscribe.frame.since : null,
      resets: probe.received.filter((r) => r.frame.op === 'reset').length,
    };
  }, { channel, dropped });
  check(wire.resumed > wire.dropped, `the page never reconnected: ${JSON.stringify(wire)}`);
  check(wire.since === lastOffset, `resubscribed with since ${wire.since}, not the last offset seen ${lastOffset}`);
  check(wire.resets === 0, 'a reset: the page had to reload instead of resuming');
  const ids = wire.events.map((e) => e.id);
  const expected = [theirsId, ...away.map((p) => p.id), afterId];
  for (const id of expected) {
    const times = ids.filter((x) => x === id).length;
    check(times === 1, `post ${id} was sent ${times} times over the page's sockets: ${JSON.stringify(wire.events)}`);
  }
  check(ids.length === new Set(ids).size, `an event was sent twice: ${JSON.stringify(wire.events)}`);
  // The posts made while away were replayed from history: before 'subscribed' on the resumed socket.
  const subscribedAt = wire.frames.findIndex((f) => f.op === 'subscribed' && f.channel === channel);
  const replayed = wire.frames.slice(0, subscribedAt).filter((f) => f.op === 'event' && f.channel === channel)
    .map((f) => f.event.data.postId);
  check(JSON.stringify(replayed) === JSON.stringify(away.map((p) => p.id)),
    `the resume replayed ${JSON.stringify(replayed)}, not the posts made while away`);
  console.log('reconnected and resumed: every post exactly once');
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });

  // A page that cannot open a WebSocket: after two attempts that never opened it streams over SSE.
  const blocked = await context.newPage();
  blocked.on('console', (m) => console.log(`blocked console.${m.type()}: ${m.text()}`));
  await blocked.goto(baseUrl + '/?websocket=blocked', { timeout });
  await blocked.fill('#email', email);
  await blocked.fill('#password', password);
  await blocked.click('#login-form button[type=submit]');
  await blocked.waitForSelector(`body[data-subscribed~="posts:${authorId}"]`, { timeout });
  const overSse = `over server-sent events ${Date.now()}`;
  await postAsAuthor(overSse);
  await blocked.waitForSelector(`#feed li.live:has-text("${overSse}")`, { timeout });
  const transport = await blocked.evaluate(() => ({
    sockets: window.__stream.sockets.length,
    opened: window.__stream.received.length,
    eventSources: window.__stream.eventSources,
  }));
  check(transport.sockets >= 2 && transport.opened === 0, `WebSockets were used: ${JSON.stringify(transport)}`);
  check(transport.eventSources.length >= 1 && transport.eventSources.every((u) => u.includes('/v1/stream/sse?channels=')),
    `no event stream was opened: ${JSON.stringify(transport)}`);
  console.log('fell back to server-sent events when no WebSocket could open');
  await blocked.close();
  console.log('OK');
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
