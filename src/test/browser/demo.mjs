// Drives the demo page in headless Chromium: log in, wait until the feed is live, post through the page,
// then have a followed author post through the REST API, and see both posts appear without a reload.
// Usage: node demo.mjs BASE_URL EMAIL PASSWORD AUTHOR_ID AUTHOR_TOKEN SCREENSHOT
import { chromium } from 'playwright-core';

const [baseUrl, email, password, authorId, authorToken, screenshot] = process.argv.slice(2);
const timeout = 30000;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run'],
});
try {
  const page = await browser.newPage();
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
  const response = await fetch(`${baseUrl}/v1/posts`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${authorToken}` },
    body: JSON.stringify({ text: theirs }),
  });
  if (response.status !== 201) throw new Error(`the author's post failed: ${response.status}`);
  await page.waitForSelector(`#feed li.live:has-text("${theirs}")`, { timeout });
  console.log('followed author post appeared live');
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  console.log('OK');
} finally {
  await browser.close();
}
