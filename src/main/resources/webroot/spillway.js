// Spillway real-time client (ES module). Connects to /v1/stream, subscribes to channels, and survives
// disconnects: it reconnects with exponential backoff and jitter and resumes every channel from the last
// offset it saw, so the server replays exactly what was missed (or sends a reset when history no longer
// reaches that far back). The token never goes into a URL: each connection spends a single-use ticket from
// POST /v1/stream/ticket. Before the token expires the client sends a fresh one over the socket; a socket the
// server closed because its token expired (4401) reconnects at once with a fresh one. Where a WebSocket cannot
// open at all (a proxy that refuses upgrades), it falls back to Server-Sent Events on /v1/stream/sse: the same
// frames, resumed the same way. Protocol: docs/realtime.md.
//
//   import { SpillwayStream } from '/spillway.js';
//   const stream = new SpillwayStream({ token, onEvent: (channel, event, offset) => ..., onReset: channel => ... });
//   stream.subscribe('posts:42');

const DEFAULTS = {
  url: null,              // ws(s)://host/v1/stream; defaults to this page's host
  sseUrl: null,           // http(s)://host/v1/stream/sse; defaults to this page's host
  sseAfterFailures: 2,    // WebSocket attempts that never opened before falling back to Server-Sent Events
  ticketUrl: null,        // where tickets come from; defaults to /v1/stream/ticket on this page's origin
  token: null,            // a bearer token, or a function returning one (or a promise of one); a function
                          // lets the client renew the token before it expires
  refreshBeforeMs: 30000, // send a fresh token this long before the current one expires
  minDelayMs: 500,        // first reconnect delay
  maxDelayMs: 30000,      // reconnect delay cap
  pingIntervalMs: 25000,  // how often to check the connection is alive
  pongTimeoutMs: 10000,   // no pong by then: the connection is dead, reconnect
  onEvent: () => {},      // (channel, event, offset) for each new event, in order, once
  onReset: () => {},      // (channel): events were missed that history no longer holds; reload state
  onError: () => {},      // (frame): an error frame from the server (e.g. a refused subscription)
  onSubscribed: () => {}, // (channel, offset): the server confirmed a subscription (again after each reconnect)
  onStatus: () => {},     // ('connecting' | 'open' | 'closed', detail); detail.transport: 'websocket' | 'sse'
};

export class SpillwayStream {
  constructor(options) {
    this.options = { ...DEFAULTS, ...options };
    this.channels = new Set();      // what the application wants to follow
    this.offsets = new Map();       // channel -> last offset seen (string)
    this.recentIds = new Map();     // event id -> true, bounded: drops the relay's rare duplicates
    this.ws = null;
    this.events = null;             // the EventSource, once on the fallback
    this.transport = 'websocket';
    this.everOpened = false;        // a WebSocket opened once: later failures are outages, not a blocked path
    this.failedOpens = 0;
    this.attempt = 0;
    this.stopped = false;
    this.timers = { reconnect: null, ping: null, pong: null, refresh: null };
    this.connect();
  }

  subscribe(channel) {
    if (this.channels.has(channel)) return;
    this.channels.add(channel);
    if (this.transport === 'sse') this.#reopenEvents();
    else this.#sendSubscribe(channel);
  }

  unsubscribe(channel) {
    if (!this.channels.delete(channel)) return;
    this.offsets.delete(channel);
    if (this.transport === 'sse') this.#reopenEvents();
    else this.#send({ op: 'unsubscribe', channel });
  }

  close() {
    this.stopped = true;
    this.#clearTimers();
    if (this.ws) this.ws.close(1000, 'client closed');
    if (this.events) this.events.close();
  }

  async connect() {
    if (this.stopped) return;
    this.options.onStatus('connecting', { attempt: this.attempt, transport: this.transport });
    if (this.transport === 'sse') {
      await this.#openEvents();
      return;
    }
    let token;
    let ticket;
    try {
      token = await this.#token();
      ticket = await this.#ticket(token);
    } catch (e) {
      this.#scheduleReconnect();
      return;
    }
    const base = this.options.url || `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/v1/stream`;
    const ws = new WebSocket(`${base}?ticket=${encodeURIComponent(ticket)}`);
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.everOpened = true;
      this.options.onStatus('open', { transport: 'websocket' });
      for (const channel of this.channels) this.#sendSubscribe(channel);
      this.#startPings();
      this.#scheduleRefresh(token);
    };
    ws.onmessage = (message) => this.#onFrame(JSON.parse(message.data));
    ws.onclose = (close) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.#clearTimers();
      this.options.onStatus('closed', { code: close.code, reason: close.reason });
      if (this.stopped) return;
      if (!opened && !this.everOpened && ++this.failedOpens >= this.options.sseAfterFailures
          && typeof EventSource !== 'undefined') {
        // WebSockets never worked from here: stream over Server-Sent Events instead, from now on.
        this.transport = 'sse';
        this.attempt = 0;
      }
      // 4401: the token expired on an open socket; a fresh one is all it takes, so no backoff.
      if (close.code === 4401) this.connect();
      else this.#scheduleReconnect();
    };
  }

  // The fallback: one EventSource for every channel, opened with a ticket of its own. Its message ids carry
  // every channel's offset, and a new EventSource (after the stream ended, or when the channels change)
  // resumes every channel from the offsets seen so far (lastEventId). The browser's own retry would reuse a
  // spent ticket, so a failed stream is closed and reopened here with a fresh one.
  async #openEvents() {
    if (this.events) {
      this.events.close();
      this.events = null;
    }
    if (this.channels.size === 0) {
      this.options.onStatus('open', { transport: 'sse' });
      return;
    }
    let ticket;
    try {
      ticket = await this.#ticket(await this.#token());
    } catch (e) {
      this.#scheduleReconnect();
      return;
    }
    if (this.stopped || this.events) return;
    const channels = [...this.channels];
    const base = this.options.sseUrl || `${location.origin}/v1/stream/sse`;
    let url = `${base}?channels=${encodeURIComponent(channels.join(','))}&ticket=${encodeURIComponent(ticket)}`;
    if (channels.some((c) => this.offsets.has(c))) {
      const ids = channels.map((c) => (this.offsets.has(c) ? this.offsets.get(c) : '')).join(',');
      url += `&lastEventId=${encodeURIComponent(ids)}`;
    }
    const events = new EventSource(url);
    this.events = events;
    events.onopen = () => this.options.onStatus('open', { transport: 'sse' });
    events.onmessage = (message) => this.#onFrame(JSON.parse(message.data));
    events.onerror = () => {
      if (this.events !== events) return;
      events.close();
      this.events = null;
      this.options.onStatus('closed', { transport: 'sse' });
      if (!this.stopped) this.#scheduleReconnect();
    };
  }

  #reopenEvents() {
    if (this.transport === 'sse' && !this.stopped) this.#openEvents();
  }

  async #token() {
    const token = this.options.token;
    return typeof token === 'function' ? await token() : token;
  }

  async #ticket(token) {
    const url = this.options.ticketUrl || `${location.origin}/v1/stream/ticket`;
    const response = await fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    if (!response.ok) throw new Error(`ticket: HTTP ${response.status}`);
    return (await response.json()).ticket;
  }

  // Sends a fresh token over the socket shortly before the current one expires, so the socket stays open.
  #scheduleRefresh(token) {
    clearTimeout(this.timers.refresh);
    const exp = expiryOf(token);
    if (!exp || typeof this.options.token !== 'function') return;
    const delay = Math.max(1000, exp - Date.now() - this.options.refreshBeforeMs);
    this.timers.refresh = setTimeout(async () => {
      try {
        const fresh = await this.#token();
        if (expiryOf(fresh) > exp) {
          this.#send({ op: 'auth', token: fresh });
          this.#scheduleRefresh(fresh);
        }
      } catch (e) {
        // No fresh token now: the server closes the socket at expiry (4401) and the client reconnects.
      }
    }, delay);
  }

  #onFrame(frame) {
    switch (frame.op) {
      case 'event': {
        if (!this.channels.has(frame.channel)) return;
        const last = this.offsets.get(frame.channel);
        if (last !== undefined && BigInt(frame.offset) <= BigInt(last)) return;
        this.offsets.set(frame.channel, frame.offset);
        const id = frame.event && frame.event.id;
        if (id) {
          if (this.recentIds.has(id)) return;
          this.recentIds.set(id, true);
          if (this.recentIds.size > 2048) this.recentIds.delete(this.recentIds.keys().next().value);
        }
        this.options.onEvent(frame.channel, frame.event, frame.offset);
        break;
      }
      case 'subscribed': {
        // A working subscription: the connection is healthy again, so the next failure starts the backoff over.
        this.attempt = 0;
        const last = this.offsets.get(frame.channel);
        if (last === undefined || BigInt(frame.offset) > BigInt(last)) this.offsets.set(frame.channel, frame.offset);
        this.options.onSubscribed(frame.channel, frame.offset);
        break;
      }
      case 'reset':
        this.offsets.set(frame.channel, frame.offset);
        this.options.onReset(frame.channel);
        break;
      case 'pong':
        clearTimeout(this.timers.pong);
        this.timers.pong = null;
        break;
      case 'authenticated':
        break;
      case 'error':
        if (frame.channel) this.channels.delete(frame.channel);
        this.options.onError(frame);
        break;
    }
  }

  #sendSubscribe(channel) {
    // A first subscription goes live from now; after a reconnect it resumes from the last offset seen (the
    // server's 'subscribed' frame always carries one, "-1" for an empty history).
    const frame = { op: 'subscribe', channel };
    if (this.offsets.has(channel)) frame.since = this.offsets.get(channel);
    this.#send(frame);
  }

  #send(frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(frame));
    }
  }

  #startPings() {
    this.timers.ping = setInterval(() => {
      if (this.timers.pong) return;
      this.#send({ op: 'ping' });
      this.timers.pong = setTimeout(() => { if (this.ws) this.ws.close(4000, 'no pong'); }, this.options.pongTimeoutMs);
    }, this.options.pingIntervalMs);
  }

  #scheduleReconnect() {
    // Exponential backoff with jitter (half fixed, half random): a server restart does not bring every
    // client back in the same millisecond.
    const cap = Math.min(this.options.maxDelayMs, this.options.minDelayMs * 2 ** this.attempt);
    const delay = cap / 2 + Math.random() * cap / 2;
    this.attempt = Math.min(this.attempt + 1, 16);
    this.timers.reconnect = setTimeout(() => this.connect(), delay);
  }

  #clearTimers() {
    clearInterval(this.timers.ping);
    clearTimeout(this.timers.pong);
    clearTimeout(this.timers.reconnect);
    clearTimeout(this.timers.refresh);
    this.timers = { reconnect: null, ping: null, pong: null, refresh: null };
  }
}

// A JWT's exp in epoch ms (read, not verified: the server verifies), or 0 when it cannot be read.
function expiryOf(token) {
  try {
    const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    return typeof payload.exp === 'number' ? payload.exp * 1000 : 0;
  } catch (e) {
    return 0;
  }
}
