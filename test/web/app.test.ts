import { it, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { waitFor } from '../helpers/app.js';
import { loggedInPage, webSuite, type ImageStub, type WebApp } from './browser.js';

// How the inbox is served (CSP, public paths, the image proxy), login and logout, the UI
// language and the admin pages, in real headless Chromium against a real app on a real port.

webSuite('the agent inbox in Chromium: serving, login, language, administration', (get) => {
  let browser: Browser;
  let web: WebApp;
  let stub: ImageStub;
  beforeEach(() => ({ browser, web, stub } = get()));

  it('serves the app with a strict CSP; unknown paths stay 401 for anonymous callers', async () => {
    const page = await fetch(`${web.base}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /img-src 'self' data: blob:(;|$)/);
    const html = await page.text();
    for (const tag of html.match(/<script[^>]*>/g) ?? []) assert.match(tag, / src="\/assets\//, `no inline script in the page: ${tag}`);
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(asset, html);
    // Bodies read to the end: an open response would hold the app's shutdown.
    const status = (url: string) => fetch(`${web.base}${url}`).then(async (r) => (await r.arrayBuffer(), r.status));
    assert.equal(await status(asset), 200);
    assert.equal(await status('/tickets/7'), 200, 'a client route answers with the app');
    for (const escape of ['/assets/%2e%2e/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json']) assert.notEqual(await status(escape), 200, escape);
    // Refused by the static files' path check, in the error shape with the code that says so.
    const refused = await fetch(`${web.base}/assets/..%2f..%2fpackage.json`);
    assert.deepEqual([refused.status, ((await refused.json()) as { error: { code: string } }).error.code], [403, 'forbidden']);
    assert.equal(await status('/no-such-page'), 401);
    assert.equal(await status('/TICKETS/1'), 401);
    assert.equal(await status('/api/mind/ticket/1'), 401);
    assert.equal(await status(`/api/web/remote-image?url=${encodeURIComponent(stub.url)}`), 401);
  });

  it('logs in through the login page, refuses a wrong password, and logs out', async () => {
    const context = await browser.newContext({ locale: 'en-GB' });
    try {
      const page = await context.newPage();
      await page.goto(`${web.base}/`);
      await page.fill('input[name=email]', 'admin@test.local');
      await page.fill('input[name=password]', 'wrong-password');
      await page.click('button[type=submit]');
      await page.waitForSelector('.login [role=alert]');
      assert.match(await page.textContent('.login [role=alert]') ?? '', /Wrong email or password/);
      await page.fill('input[name=password]', 'admin-password-1');
      await page.click('button[type=submit]');
      await page.waitForSelector('section.queue');
      assert.ok((await context.cookies()).some((c) => c.name === 'connect.sid' && c.httpOnly));
      await page.click('text=Log out');
      await page.waitForSelector('.login form');
      // The session is gone on the server too.
      assert.equal((await page.evaluate(() => fetch('/api/mind/profile').then((r) => r.status))), 401);
    } finally {
      await context.close();
    }
  });

  it('admin pages: subchannel connection test answered politely, an API key shown once, intents of a typed text', async () => {
    const { context, page } = await loggedInPage(browser, web.base);
    try {
      await page.click('header nav >> text=Administration');
      await page.waitForSelector('table.grid tbody tr');
      assert.equal(new URL(page.url()).pathname, '/admin');
      await page.click('table.grid tbody tr:first-child button:has-text("Test connection")');
      await waitFor(async () => ((await page.textContent('table.grid tbody tr:first-child [role=status]')) ?? '').trim(), 10_000, 'the test answer');

      await page.click('nav.tabs >> text=API keys');
      await page.fill('form.inline-form input', 'CRM');
      await page.click('form.inline-form button[type=submit]');
      const token = (await (await page.waitForSelector('.shown-once code.token')).textContent())!.trim();
      assert.ok(token.length > 20);
      // The key works, and the page never shows it again.
      assert.equal((await fetch(`${web.base}/api/mind/profile`, { headers: { authorization: `Bearer ${token}` } }).then(async (r) => (await r.arrayBuffer(), r.status))), 200);
      await page.click('nav.tabs >> text=AI agents');
      await page.click('nav.tabs >> text=API keys');
      await page.waitForSelector('table.grid tbody tr:has-text("CRM")');
      assert.equal(await page.$('.shown-once'), null);
      assert.equal((await page.content()).includes(token), false);

      await page.click('nav.tabs >> text=AI agents');
      await page.fill('textarea[name=try]', 'Hallo, mein Zählerstand ist 12.345 kWh, Zählernummer 123456.');
      await page.click('form:has(textarea[name=try]) button[type=submit]');
      await page.waitForSelector('.detected code:has-text("ai_agent_meter_reading")', { timeout: 60_000 });
    } finally {
      await context.close();
    }
  });

  it('the remote-image proxy refuses what is not a reachable raster image, naming url', async () => {
    for (const url of ['ftp://example.com/x.png', 'http://10.0.0.1/x.png']) {
      const res = await web.t.call('GET', `/api/web/remote-image?url=${encodeURIComponent(url)}`);
      assert.equal(res.statusCode, 422, `${url}: ${res.body}`);
      assert.equal(res.json().error.field, 'url');
    }
  });

  it('shows German UI text for a German browser, and switches to English', async () => {
    const { context, page } = await loggedInPage(browser, web.base, undefined, 'de-DE');
    try {
      assert.equal(await page.textContent('header nav a[aria-current=page]'), 'Posteingang');
      await page.selectOption('.lang select', 'en');
      await page.waitForSelector('header nav a:has-text("Inbox")');
    } finally {
      await context.close();
    }
  });
});
