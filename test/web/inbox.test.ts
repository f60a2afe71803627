import { it, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser } from 'playwright-core';
import { createTicket, waitFor } from '../helpers/app.js';
import { loggedInPage, SCREENSHOTS, storeMessage, webSuite, word, type ImageStub, type WebApp } from './browser.js';

// The queue and the ticket view in real headless Chromium against a real app on a real port
// (SQLite). Each test seeds what it needs through the API, with a word of its own, and opens its
// own browser context: no test depends on another's tickets or order.

webSuite('the agent inbox in Chromium: queue and ticket', (get) => {
  let browser: Browser;
  let web: WebApp;
  let stub: ImageStub;
  beforeEach(() => ({ browser, web, stub } = get()));

  it('finds a ticket by a word of its second message (also in its subject until full-text search is merged)', async () => {
    const w = word('Zaunkoenig');
    const id = await createTicket(web.t, { subject: `Frage ${w}`, body: '<p>Erste Nachricht</p>' });
    await storeMessage(web, id, { body: `<p>Zweite Nachricht mit ${w}</p>` });
    const other = await createTicket(web.t, { subject: 'Etwas anderes', body: '<p>nichts</p>' });
    const { context, page } = await loggedInPage(browser, web.base);
    try {
      await page.fill('input[name=q]', w);
      await page.press('input[name=q]', 'Enter');
      await page.waitForSelector(`section.queue[data-loaded-q="${w}"]`); // the rows now answer this search
      assert.deepEqual(await page.$$eval('table.tickets tbody tr', (rows) => rows.map((r) => r.getAttribute('data-ticket-id'))), [String(id)]);
      assert.equal(await page.$(`tr[data-ticket-id="${other}"]`), null);
    } finally {
      await context.close();
    }
  });

  // This suite's app counts matches up to SEARCH_TOTAL_MAX=3 (below): past it the pager says
  // "N+" and offers a next page while pages come back full.
  it('pages past the counting cap: "25+" while pages are full, then the last page', async () => {
    const w = word('Rotkehlchen');
    for (let i = 0; i < 26; i++) await createTicket(web.t, { subject: `Frage ${w} ${i}`, body: '<p>Hallo</p>' });
    const { context, page } = await loggedInPage(browser, web.base);
    try {
      await page.fill('input[name=q]', w);
      await page.press('input[name=q]', 'Enter');
      await page.waitForSelector(`section.queue[data-loaded-q="${w}"]`);
      assert.equal(await page.$$eval('table.tickets tbody tr', (rows) => rows.length), 25);
      assert.equal((await page.textContent('.pager .page-of'))?.trim(), 'Tickets 1–25 of 25+');
      const next = page.locator('.pager button', { hasText: 'Next' });
      assert.equal(await next.isEnabled(), true);
      await next.click();
      // The second page holds one row: wait until the first page's second row is gone (a selector
      // wait, not a string predicate, which the page's CSP may refuse to evaluate).
      await page.waitForSelector('table.tickets tbody tr:nth-child(2)', { state: 'detached' });
      assert.equal(await page.$$eval('table.tickets tbody tr', (rows) => rows.length), 1);
      assert.equal((await page.textContent('.pager .page-of'))?.trim(), 'Tickets 26–26 of 26+');
      assert.equal(await next.isEnabled(), false);
    } finally {
      await context.close();
    }
  });

  // `q` is full text over every message of a ticket (src/search/), not only the first.
  it('finds a ticket by a word that is ONLY in its second message', async () => {
    const w = word('Kleiber');
    const id = await createTicket(web.t, { subject: 'Zählerwechsel', body: '<p>Erste Nachricht</p>' });
    await storeMessage(web, id, { body: `<p>Nachtrag: ${w}</p>` });
    const { context, page } = await loggedInPage(browser, web.base);
    try {
      await page.fill('input[name=q]', w);
      await page.press('input[name=q]', 'Enter');
      await page.waitForSelector(`section.queue[data-loaded-q="${w}"]`); // the rows now answer this search
      assert.deepEqual(await page.$$eval('table.tickets tbody tr', (rows) => rows.map((r) => r.getAttribute('data-ticket-id'))), [String(id)]);
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
      await page.waitForSelector(`section.queue[data-loaded-q="${w}"]`); // the rows now answer this search
      assert.equal((await page.$$('table.tickets tbody tr')).length, 3);
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
      await page.waitForSelector(`section.queue[data-loaded-q="${w}"]`); // listed again, same search
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
      await page.waitForSelector(`section.queue[data-loaded-q="${w}"]`); // the rows now answer this search
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

  it('sends a reply and shows its delivery status', async () => {
    const id = await createTicket(web.t, { subject: word('Antwort'), from: 'kundin@example.de' });
    const text = word('Antwort-');
    const { context, page } = await loggedInPage(browser, web.base);
    try {
      await page.goto(`${web.base}/tickets/${id}`);
      await page.fill('#reply-body', `Danke für Ihre Nachricht. ${text}`);
      await page.click('form.reply button[type=submit]');
      await page.waitForSelector(`.message.out:has-text("${text}") [data-delivery], form.reply .error`);
      // $ does not wait; textContent would wait its 30 s timeout for an error that is not there.
      const error = await page.$('form.reply .error');
      assert.equal(error, null, (await error?.textContent()) ?? '');
      const status = await page.getAttribute(`.message.out:has-text("${text}") [data-delivery]`, 'data-delivery');
      assert.ok(['queued', 'sent', 'stored'].includes(status ?? ''), `delivery status ${status}`);
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
}, { SEARCH_TOTAL_MAX: '3' });
