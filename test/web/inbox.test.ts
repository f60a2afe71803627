import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import sharp from 'sharp';
import type { Browser } from 'playwright-core';
import { createTicket, waitFor } from '../helpers/app.js';
import { buildWebApp, imageStub, launch, loggedInPage, SCREENSHOTS, skipReason, startWebApp, type WebApp } from './browser.js';

// The agent inbox in real headless Chromium against a real app on a real port (SQLite).
// Each test seeds what it needs through the API, with a word of its own, and opens its own
// browser context: no test depends on another's tickets or order.

const skip = skipReason();
if (skip) console.log(`# ${skip}`);

const word = (prefix: string) => `${prefix}${crypto.randomBytes(4).toString('hex')}`;

describe('the agent inbox in Chromium', { skip }, () => {
  let browser: Browser;
  let web: WebApp;
  let stub: Awaited<ReturnType<typeof imageStub>>;

  before(async () => {
    buildWebApp();
    stub = await imageStub();
    // The remote-image proxy may reach the local stub that stands in for a mail's image host.
    web = await startWebApp({ OUTBOUND_ALLOW_HOSTS: '127.0.0.1', LOGIN_MAX_PER_ACCOUNT: '1000' });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await stub?.close();
  });

  const store = async (ticketId: number, body: Record<string, unknown>) => {
    const res = await web.t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store?process=false`, { direction: 'in', from: 'kunde@example.de', type: 'html', ...body });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };

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

  it('finds a ticket by a word of its second message (also in its subject until full-text search is merged)', async () => {
    const w = word('Zaunkoenig');
    const id = await createTicket(web.t, { subject: `Frage ${w}`, body: '<p>Erste Nachricht</p>' });
    await store(id, { body: `<p>Zweite Nachricht mit ${w}</p>` });
    const other = await createTicket(web.t, { subject: 'Etwas anderes', body: '<p>nichts</p>' });
    const { context, page } = await loggedInPage(browser, web.base);
    try {
      await page.fill('input[name=q]', w);
      await page.press('input[name=q]', 'Enter');
      await page.waitForSelector(`tr[data-ticket-id="${id}"]`);
      await waitFor(async () => (await page.$$('table.tickets tbody tr')).length === 1, 10_000, 'only the match listed');
      assert.equal(await page.$(`tr[data-ticket-id="${other}"]`), null);
    } finally {
      await context.close();
    }
  });

  // Expected to pass once full-text search across every message (the search helper's branch)
  // is merged: today `q` reads the ticket's subject, first body and sender only.
  it('finds a ticket by a word that is ONLY in its second message', { todo: 'needs full-text search across every message behind q' }, async () => {
    const w = word('Kleiber');
    const id = await createTicket(web.t, { subject: 'Zählerwechsel', body: '<p>Erste Nachricht</p>' });
    await store(id, { body: `<p>Nachtrag: ${w}</p>` });
    const { context, page } = await loggedInPage(browser, web.base);
    try {
      await page.fill('input[name=q]', w);
      await page.press('input[name=q]', 'Enter');
      await page.waitForSelector(`tr[data-ticket-id="${id}"]`, { timeout: 5000 });
    } finally {
      await context.close();
    }
  });

  it('renders a hostile body sanitised: its script does not run, a remote image loads only after the click', async () => {
    const w = word('Sanitise');
    const imagePath = `/pixel-${w}.png`;
    const body = `<p id="hello-${w}">Hallo ${w}</p><script>window.__pwned = 'script'</script>` +
      `<img src="x" onerror="window.__pwned = 'onerror'"><a href="javascript:window.__pwned='link'">link</a>` +
      `<img id="remote" src="${stub.url}${imagePath}" alt="remote">` +
      `<blockquote>Am 1. Dezember schrieb jemand: alter Text ${w}</blockquote>`;
    const id = await createTicket(web.t, { subject: w, body });
    const { context, page } = await loggedInPage(browser, web.base);
    const browserRequests: string[] = [];
    page.on('request', (r) => browserRequests.push(r.url()));
    try {
      await page.goto(`${web.base}/tickets/${id}`);
      await page.waitForSelector(`#hello-${w}`);
      assert.equal(await page.evaluate('window.__pwned'), undefined, 'no script of the body ran');
      assert.equal(await page.$('.message-body script'), null);
      assert.equal(await page.$('.message-body [onerror]'), null);
      assert.equal(await page.getAttribute('.message-body a', 'href'), null, 'javascript: links are dropped');
      // The remote image is parked, not requested: neither by the browser nor through the proxy.
      assert.equal(await page.getAttribute('.message-body img[alt=remote]', 'src'), null);
      assert.equal(stub.hits.filter((h) => h === imagePath).length, 0);
      assert.ok(!browserRequests.some((u) => u.includes(imagePath)), browserRequests.join('\n'));
      // Quoted history is folded.
      assert.equal(await page.isVisible(`text=alter Text ${w}`), false);
      await page.click('details.quoted > summary');
      assert.equal(await page.isVisible(`text=alter Text ${w}`), true);

      await page.click('text=Load remote images');
      await waitFor(async () => stub.hits.includes(imagePath), 10_000, 'the image fetched after the click');
      // The page's own code runs in the browser: passed as source text (this file has no DOM types).
      await page.waitForFunction(`(() => { const img = document.querySelector('.message-body img[alt=remote]'); return !!img && img.complete && img.naturalWidth === 1; })()`);
      assert.ok(!browserRequests.some((u) => u.startsWith(stub.url)), 'the browser itself never contacted the remote host');
      assert.equal(await page.evaluate('window.__pwned'), undefined);
    } finally {
      await context.close();
    }
  });

  it('changes the ticket status in the ticket view', async () => {
    const id = await createTicket(web.t, { subject: word('Status') });
    const { context, page } = await loggedInPage(browser, web.base);
    try {
      await page.goto(`${web.base}/tickets/${id}`);
      await page.selectOption('form.fields select[name=status]', 'closed');
      await page.selectOption('form.fields select[name=priority]', 'high');
      await page.click('form.fields button[type=submit]');
      await page.waitForSelector('form.fields [role=status]');
      const ticket = (await web.t.call('GET', `/api/mind/ticket/${id}`)).json();
      assert.equal(ticket.status, 'closed');
      assert.equal(ticket.priority, 'high');
    } finally {
      await context.close();
    }
  });

  it('moves through the queue with the keyboard alone: j/k, Enter opens, r focuses the reply, Esc goes back', async () => {
    const w = word('Tastatur');
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await createTicket(web.t, { subject: `${w} ${i}` }));
    const { context, page } = await loggedInPage(browser, web.base);
    const activeRow = () => page.evaluate(`document.activeElement?.closest('tr')?.dataset.ticketId ?? null`);
    try {
      await page.fill('input[name=q]', w);
      await page.press('input[name=q]', 'Enter');
      await waitFor(async () => (await page.$$('table.tickets tbody tr')).length === 3, 10_000, 'the three tickets listed');
      await page.keyboard.press('Escape'); // leaves the search box
      // Newest first: rows are ids[2], ids[1], ids[0].
      await page.keyboard.press('j');
      assert.equal(await activeRow(), String(ids[2]));
      await page.keyboard.press('j');
      await page.keyboard.press('j');
      await page.keyboard.press('k');
      assert.equal(await activeRow(), String(ids[1]));
      await page.keyboard.press('Enter');
      await page.waitForSelector('.ticket-title');
      assert.equal(new URL(page.url()).pathname, `/tickets/${ids[1]}`);
      await page.keyboard.press('r');
      assert.equal(await page.evaluate('document.activeElement?.id'), 'reply-body');
      await page.keyboard.press('Escape'); // leaves the reply box
      await page.keyboard.press('Escape'); // back to the queue
      await page.waitForSelector('section.queue');
      assert.equal(new URL(page.url()).pathname, '/');
      await waitFor(async () => (await page.$$('table.tickets tbody tr')).length === 3, 10_000, 'the queue listed again');
      // The queue remembers the row.
      await page.keyboard.press('j');
      assert.equal(await activeRow(), String(ids[1]));
    } finally {
      await context.close();
    }
  });

  it('adds a private note that appears in the thread, told apart from messages', async () => {
    const id = await createTicket(web.t, { subject: word('Notiz') });
    const note = word('Interne-Notiz-');
    const { context, page } = await loggedInPage(browser, web.base);
    try {
      await page.goto(`${web.base}/tickets/${id}`);
      await page.check('input[name=mode][value=note]');
      await page.fill('#reply-body', `Bitte zurückrufen ${note}`);
      await page.click('form.reply button[type=submit]');
      await page.waitForSelector(`.message.note >> text=${note}`);
      assert.equal(await page.getAttribute(`.message:has-text("${note}")`, 'data-kind'), 'note');
      assert.equal(await page.inputValue('#reply-body'), '', 'the box is emptied after the note is stored');
      const thread = (await web.t.call('GET', `/api/mind/ticket/${id}/conversation`)).json().conversations;
      const stored = thread.find((c: { bodyPlain: string }) => c.bodyPlain.includes(note));
      assert.equal(stored.private, true);
      assert.equal(stored.direction, 'internal');
    } finally {
      await context.close();
    }
  });

  it('shows a new conversation without a reload (event log polling)', async () => {
    const w = word('Neu');
    const { context, page } = await loggedInPage(browser, web.base);
    try {
      await page.fill('input[name=q]', w);
      await page.press('input[name=q]', 'Enter');
      await page.waitForSelector('.empty');
      const id = await createTicket(web.t, { subject: `Neue Mail ${w}` });
      await page.waitForSelector(`tr[data-ticket-id="${id}"]`, { timeout: 15_000 });
    } finally {
      await context.close();
    }
  });

  it('keeps a typed reply through an expired session and returns to the ticket after login', async () => {
    const id = await createTicket(web.t, { subject: word('Sitzung') });
    const text = word('Entwurf-');
    const { context, page } = await loggedInPage(browser, web.base);
    try {
      await page.goto(`${web.base}/tickets/${id}`);
      await page.fill('#reply-body', `Sehr geehrte Kundin, ${text}`);
      // The browser's session reaches its TTL on the server (the cookie is "<sid>.<signature>").
      const cookie = (await context.cookies()).find((c) => c.name === 'connect.sid')!;
      const sid = decodeURIComponent(cookie.value).replace(/^s:/, '').replace(/\.[^.]*$/, '');
      const expired = await web.t.ctx.db.kysely.updateTable('sessions').set({ expires_at: 1 }).where('sid', '=', sid).executeTakeFirst();
      assert.equal(Number(expired.numUpdatedRows), 1);
      await page.click('form.fields button[type=submit]');
      await page.waitForSelector('.login [role=status]');
      await page.fill('input[name=email]', 'admin@test.local');
      await page.fill('input[name=password]', 'admin-password-1');
      await page.click('button[type=submit]');
      await page.waitForSelector('#reply-body');
      assert.equal(new URL(page.url()).pathname, `/tickets/${id}`);
      assert.equal(await page.inputValue('#reply-body'), `Sehr geehrte Kundin, ${text}`);
    } finally {
      await context.close();
    }
  });

  it('sends a reply and shows its delivery status', { todo: 'needs conversation/reply' }, async () => {
    const id = await createTicket(web.t, { subject: word('Antwort'), from: 'kundin@example.de' });
    const text = word('Antwort-');
    const { context, page } = await loggedInPage(browser, web.base);
    try {
      await page.goto(`${web.base}/tickets/${id}`);
      await page.fill('#reply-body', `Danke für Ihre Nachricht. ${text}`);
      await page.click('form.reply button[type=submit]');
      await page.waitForSelector(`.message.out:has-text("${text}") [data-delivery], form.reply .error`);
      assert.equal(await page.$('form.reply .error'), null, (await page.textContent('form.reply .error').catch(() => '')) ?? '');
      const status = await page.getAttribute(`.message.out:has-text("${text}") [data-delivery]`, 'data-delivery');
      assert.ok(['queued', 'sent', 'stored'].includes(status ?? ''), `delivery status ${status}`);
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

  it('saves screenshots of the queue and the ticket view at 1280 px and 390 px', async () => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    const id = await createTicket(web.t, {
      subject: 'Zählerstand 12.345,6 kWh', from: 'erika.mustermann@example.de', fromName: 'Erika Mustermann', priority: 'high', dueBy: '2021-01-07 00:00:00',
      body: '<p>Guten Tag,</p><p>mein Zählerstand ist <b>12.345,6 kWh</b>.</p><p>Viele Grüße<br>Erika Mustermann</p><blockquote>Ihre Erinnerung vom 1.12.</blockquote>',
    });
    // The second message runs through the AI (realtime; a run past the budget finishes as a job)
    // and carries an image attachment, so the view shows AI results and a thumbnail.
    const photo = await sharp({ create: { width: 240, height: 140, channels: 3, background: '#9db4c8' } }).png().toBuffer();
    const second = await web.t.call('POST', `/api/mind/ticket/${id}/conversation/store`, {
      process: 'realtime', direction: 'in', from: 'erika.mustermann@example.de', type: 'html',
      body: `<p>Hier noch ein Foto vom Zähler <img src="${stub.url}/meter.png" alt="Zähler">. Mein Zählerstand ist 12.345,6 kWh, Zählernummer 1ESY1160123456.</p>`,
      attachments: [{ name: 'zaehler.png', base64: photo.toString('base64') }],
    });
    assert.equal(second.statusCode, 200, second.body);
    const conversationId = second.json().conversationId as number;
    await waitFor(async () => (await web.t.call('GET', `/api/mind/ticket/${id}/conversation/${conversationId}`)).json().conversation.cortexRequestId, 120_000, 'the AI run');
    await web.t.call('POST', `/api/mind/ticket/${id}/conversation/store?process=false`, { direction: 'internal', private: true, type: 'html', body: '<p>Kundin hat angerufen, Ablesung folgt.</p>' });
    for (const [width, height, tag] of [[1280, 900, '1280'], [390, 844, '390']] as const) {
      const { context, page } = await loggedInPage(browser, web.base, { width, height });
      try {
        await page.waitForSelector(`tr[data-ticket-id="${id}"]`);
        await page.screenshot({ path: path.join(SCREENSHOTS, `list-${tag}.png`), fullPage: true });
        await page.goto(`${web.base}/tickets/${id}`);
        await page.waitForSelector('.message.note');
        await page.waitForSelector(`[data-conversation-id="${conversationId}"] .ai code:has-text("ai_agent_meter_reading")`);
        await page.waitForFunction(`(() => { const img = document.querySelector('.attachment img.thumb'); return !!img && img.complete && img.naturalWidth === 240; })()`);
        await page.screenshot({ path: path.join(SCREENSHOTS, `ticket-${tag}.png`), fullPage: true });
        // Phone width: nothing wider than the viewport.
        const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
        assert.ok(overflow <= 1, `the page is ${overflow}px wider than ${width}px`);
      } finally {
        await context.close();
      }
    }
    for (const f of ['list-1280.png', 'ticket-1280.png', 'list-390.png', 'ticket-390.png']) assert.ok(fs.statSync(path.join(SCREENSHOTS, f)).size > 1000, f);
  });
});
