import { it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { describeEachDb } from '../helpers/suite.js';
import { defaultSubchannel, type TestApp } from '../helpers/app.js';
import { SmtpSink } from '../helpers/smtpSink.js';
import { CUSTOMER, MAILBOX_EMAIL, conversation, counts, drain, mailboxOn, parse, reply, ticketOn } from './helpers.js';
import { jobsOf, replyJobsOf } from '../helpers/jobs.js';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n').toString('base64');
const ENV = { SMTP_RETRY_BASE_MS: '0', SMTP_MAX_ATTEMPTS: '3' };

describeEachDb('replies by mail', (app) => {
  async function withSink(body: (sink: SmtpSink, t: TestApp) => Promise<void>, opts?: Parameters<typeof SmtpSink.start>[0]) {
    const sink = await SmtpSink.start(opts);
    try {
      await body(sink, app());
    } finally {
      await sink.close();
    }
  }

  it('a reply is one mail, threaded under the customer\'s: From, To, tagged Subject, Message-ID, In-Reply-To, References, HTML and text, inline image, attachment; queued → sent', () => withSink(async (sink, t) => {
    const mailbox = await mailboxOn(t, sink, { user: 'service', password: 'smtp-pass-1' });
    const ticketId = await ticketOn(t, mailbox);
    // The customer's mail as the fetcher stores it: with its Message-ID (set here, as the fetcher is another module).
    const first = await t.ctx.db.kysely.selectFrom('conversations').select('id').where('ticket_id', '=', ticketId).executeTakeFirstOrThrow();
    await t.ctx.db.kysely.updateTable('conversations').set({ message_id: `cust-1.${ticketId}@example.de` }).where('id', '=', first.id).execute();

    const res = await reply(t, ticketId, {
      content: '<p>Guten Tag,</p><p>danke für den Zählerstand.</p><img src="cid:logo.png">',
      attachments: [{ name: 'logo.png', base64: PNG }, { name: 'Rechnung.pdf', base64: PDF }],
      cc: ['Buchhaltung <buchhaltung@example.de>'],
      bcc: ['archiv@stadtwerke.example'],
      status: 'closed',
    });
    assert.equal(res.statusCode, 200, res.body);
    const queued = res.json().conversation;
    assert.equal(queued.deliveryStatus, 'queued');
    assert.equal(queued.direction, 'out');
    assert.equal(queued.sentAt, null);
    assert.match(queued.messageId, /^[0-9a-f-]{36}@stadtwerke\.example$/);
    assert.deepEqual(queued.toEmail, [CUSTOMER], 'to defaults to the customer');
    assert.equal(queued.subject, `Re: Zählerstand [#${ticketId}]`);

    await drain(t);
    assert.equal(sink.accepted.length, 1);
    const got = sink.accepted[0]!;
    assert.equal(got.from, MAILBOX_EMAIL);
    assert.deepEqual([...got.to].sort(), ['archiv@stadtwerke.example', 'buchhaltung@example.de', CUSTOMER].sort(), 'bcc in the envelope');
    assert.equal(got.secure, true, 'STARTTLS before AUTH');
    assert.equal(got.user, 'service');

    const mail = await parse(got.raw);
    assert.equal(mail.from?.value[0]?.address, MAILBOX_EMAIL);
    assert.equal(mail.from?.value[0]?.name, 'Stadtwerke Kundenservice');
    assert.deepEqual((Array.isArray(mail.to) ? mail.to : [mail.to!]).flatMap((a) => a.value.map((v) => v.address)), [CUSTOMER]);
    assert.equal(mail.subject, `Re: Zählerstand [#${ticketId}]`);
    assert.equal(mail.messageId, `<${queued.messageId}>`);
    assert.equal(mail.inReplyTo, `<cust-1.${ticketId}@example.de>`);
    assert.deepEqual(mail.references, `<cust-1.${ticketId}@example.de>`);
    assert.equal(mail.headers.get('bcc'), undefined, 'no Bcc header');
    assert.ok(!got.raw.toString('latin1').toLowerCase().includes('\nbcc:'), 'no Bcc header in the raw mail');
    assert.match(String(mail.html), /danke für den Zählerstand/);
    assert.match(String(mail.text), /danke für den Zählerstand/);
    assert.ok(!String(mail.text).includes('<p>'), 'the text part is text');
    const pdf = mail.attachments.find((a) => a.filename === 'Rechnung.pdf');
    assert.ok(pdf, 'the PDF is attached');
    assert.equal(pdf.content.toString('base64'), PDF);
    assert.equal(pdf.contentDisposition, 'attachment');
    const logo = mail.attachments.find((a) => a.filename === 'logo.png');
    assert.ok(logo?.cid, 'the image is an inline cid part');
    assert.ok(String(mail.html).includes(`cid:${logo.cid}`), 'the HTML points at the inline part');
    assert.ok(!String(mail.html).includes('/api/mind/'), 'no ticketmind URL in the mail');
    assert.match(got.raw.toString('latin1'), /multipart\/related/);
    assert.match(got.raw.toString('latin1'), /multipart\/alternative/);

    const sent = await conversation(t, ticketId, queued.id);
    assert.equal(sent.deliveryStatus, 'sent');
    assert.match(sent.smtpResponse, /^250 .*Ok: queued as sink-1/);
    assert.equal(sent.deliveryError, null);
    assert.ok(sent.sentAt >= queued.createdAt);
    const ticket = (await t.call('GET', `/api/mind/ticket/${ticketId}`)).json();
    assert.equal(ticket.status, 'closed');
    assert.ok(ticket.firstResponseAt && ticket.lastAgentMessageAt, JSON.stringify(ticket));

    // A second reply: In-Reply-To stays the customer's mail, References end with it and hold the first reply.
    const second = await reply(t, ticketId, { body: '<p>Noch etwas.</p>' });
    assert.equal(second.statusCode, 200, second.body);
    await drain(t);
    assert.equal(sink.accepted.length, 2);
    const mail2 = await parse(sink.accepted[1]!.raw);
    assert.equal(mail2.inReplyTo, `<cust-1.${ticketId}@example.de>`);
    assert.deepEqual(mail2.references, [`<${queued.messageId}>`, `<cust-1.${ticketId}@example.de>`]);
    const again = (await t.call('GET', `/api/mind/ticket/${ticketId}`)).json();
    assert.equal(again.firstResponseAt, ticket.firstResponseAt, 'the first response time stays');
  }, { auth: { user: 'service', pass: 'smtp-pass-1' } }));

  it('a 4xx answer is retried and the next attempt sends it once', () => withSink(async (sink, t) => {
    const ticketId = await ticketOn(t, await mailboxOn(t, sink));
    sink.failNext(451, '4.3.0 try again later');
    const res = await reply(t, ticketId, { body: '<p>Antwort</p>' });
    assert.equal(res.statusCode, 200, res.body);
    await drain(t);
    assert.equal(sink.refused.length, 1);
    assert.equal(sink.accepted.length, 1);
    const c = await conversation(t, ticketId, res.json().conversationId);
    assert.equal(c.deliveryStatus, 'sent');
    assert.equal(c.deliveryError, null);
    const jobs = await replyJobsOf(t, c.id);
    // graphile-worker deletes a completed job, with its attempt count; SQLite keeps the row.
    if (t.kind === 'sqlite') assert.deepEqual(jobs.map((j) => [j.status, j.attempts]), [['done', 2]]);
    else assert.deepEqual(jobs, []);
  }));

  it('a 4xx on every attempt fails after SMTP_MAX_ATTEMPTS with the server\'s answer', () => withSink(async (sink, t) => {
    const ticketId = await ticketOn(t, await mailboxOn(t, sink));
    sink.failNext(452, '4.2.2 mailbox full', 3);
    const res = await reply(t, ticketId, { body: '<p>Antwort</p>' });
    await drain(t);
    assert.equal(sink.refused.length, 3);
    assert.equal(sink.accepted.length, 0);
    const c = await conversation(t, ticketId, res.json().conversationId);
    assert.equal(c.deliveryStatus, 'failed');
    assert.match(c.deliveryError, /not sent after 3 attempts: 452 4\.2\.2 mailbox full/);
  }));

  it('a 5xx answer fails at once with the reason', () => withSink(async (sink, t) => {
    const ticketId = await ticketOn(t, await mailboxOn(t, sink));
    sink.failNext(550, '5.1.1 mailbox unavailable');
    const res = await reply(t, ticketId, { body: '<p>Antwort</p>' });
    await drain(t);
    assert.equal(sink.refused.length, 1, 'one attempt only');
    assert.equal(sink.accepted.length, 0);
    const c = await conversation(t, ticketId, res.json().conversationId);
    assert.equal(c.deliveryStatus, 'failed');
    assert.match(c.deliveryError, /refused by the SMTP server: 550 5\.1\.1 mailbox unavailable/);
    assert.match(c.smtpResponse, /^550/);
  }));

  it('a wrong SMTP password is a 535: failed at once, nothing sent', () => withSink(async (sink, t) => {
    const ticketId = await ticketOn(t, await mailboxOn(t, sink, { user: 'service', password: 'wrong' }));
    const res = await reply(t, ticketId, { body: '<p>Antwort</p>' });
    await drain(t);
    assert.equal(sink.accepted.length, 0);
    assert.deepEqual(sink.failedLogins, ['service']);
    const c = await conversation(t, ticketId, res.json().conversationId);
    assert.equal(c.deliveryStatus, 'failed');
    assert.match(c.deliveryError, /535/);
  }, { auth: { user: 'service', pass: 'right' } }));

  it('a refused connection is retried (nothing can have gone out) and fails after SMTP_MAX_ATTEMPTS saying so', async () => {
    const t = app();
    const gone = await SmtpSink.start();
    await gone.close(); // its port is now closed: every connect is refused
    const ticketId = await ticketOn(t, await mailboxOn(t, gone));
    const res = await reply(t, ticketId, { body: '<p>Antwort</p>' });
    await drain(t);
    const c = await conversation(t, ticketId, res.json().conversationId);
    assert.equal(c.deliveryStatus, 'failed');
    assert.match(c.deliveryError, /^not sent after 3 attempts: .*ECONNREFUSED/);
  });

  it('a connection that breaks after the message was handed over, with no answer, is failed as unknown and not retried', async () => {
    const t = app();
    // A stub SMTP server that takes the whole message and then hangs up instead of answering.
    let transfers = 0;
    const server = net.createServer((socket) => {
      let inData = false;
      let buf = '';
      socket.write('220 stub ESMTP\r\n');
      socket.on('data', (d: Buffer) => {
        buf += d.toString('latin1');
        if (inData) {
          if (buf.includes('\r\n.\r\n')) { transfers++; socket.destroy(); }
          return;
        }
        let nl;
        while ((nl = buf.indexOf('\r\n')) >= 0) {
          const line = buf.slice(0, nl).toUpperCase();
          buf = buf.slice(nl + 2);
          if (line.startsWith('EHLO') || line.startsWith('HELO')) socket.write('250 stub\r\n');
          else if (line.startsWith('DATA')) { inData = true; socket.write('354 go ahead\r\n'); return; }
          else if (line.startsWith('QUIT')) socket.end('221 bye\r\n');
          else socket.write('250 ok\r\n');
        }
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const sub = await t.call('POST', '/api/mind/settings/subchannel', { channel: 'email', name: 'Stub', data: { email: MAILBOX_EMAIL, smtp: { host: '127.0.0.1', port, secure: false } } });
      assert.equal(sub.statusCode, 200, sub.body);
      const ticketId = await ticketOn(t, sub.json().id as number);
      const res = await reply(t, ticketId, { body: '<p>Antwort</p>' });
      await drain(t);
      assert.equal(transfers, 1, 'one transfer, no retry');
      const c = await conversation(t, ticketId, res.json().conversationId);
      assert.equal(c.deliveryStatus, 'failed');
      assert.match(c.deliveryError, /^unknown: the connection broke while the message was being handed over .*check the customer's mailbox, then resend$/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('implicit TLS (secure: true) sends; with tlsVerify the self-signed certificate is refused before anything is handed over', () => withSink(async (sink, t) => {
    const ticketId = await ticketOn(t, await mailboxOn(t, sink));
    const ok = await reply(t, ticketId, { body: '<p>über TLS</p>' });
    await drain(t);
    assert.equal(sink.accepted.length, 1);
    assert.equal(sink.accepted[0]!.secure, true);
    assert.equal((await conversation(t, ticketId, ok.json().conversationId)).deliveryStatus, 'sent');

    const strictTicket = await ticketOn(t, await mailboxOn(t, sink, { tlsVerify: true }));
    const refused = await reply(t, strictTicket, { body: '<p>über TLS</p>' });
    await drain(t);
    assert.equal(sink.accepted.length, 1, 'nothing sent to an unverified server');
    const c = await conversation(t, strictTicket, refused.json().conversationId);
    assert.equal(c.deliveryStatus, 'failed');
    assert.match(c.deliveryError, /^not sent after 3 attempts: .*certificate/i);
  }, { secure: true }));

  it('a draft is never sent until /send; then it is sent once and /send again is a 409', () => withSink(async (sink, t) => {
    const ticketId = await ticketOn(t, await mailboxOn(t, sink));
    const res = await reply(t, ticketId, { body: '<p>Entwurf</p>', isDraft: true });
    assert.equal(res.statusCode, 200, res.body);
    const draft = res.json().conversation;
    assert.equal(draft.isDraft, true);
    assert.equal(draft.deliveryStatus, 'draft');
    assert.equal(draft.messageId, null);
    await drain(t);
    assert.equal(sink.accepted.length, 0);
    assert.equal((await t.call('GET', `/api/mind/ticket/${ticketId}`)).json().firstResponseAt, null, 'a draft is no response');

    const send = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/${draft.id}/send`, {});
    assert.equal(send.statusCode, 200, send.body);
    assert.equal(send.json().conversation.deliveryStatus, 'queued');
    assert.equal(send.json().conversation.isDraft, false);
    await drain(t);
    assert.equal(sink.accepted.length, 1);
    const mail = await parse(sink.accepted[0]!.raw);
    assert.equal(mail.subject, `Re: Zählerstand [#${ticketId}]`);
    assert.equal((await conversation(t, ticketId, draft.id)).deliveryStatus, 'sent');
    assert.ok((await t.call('GET', `/api/mind/ticket/${ticketId}`)).json().firstResponseAt);

    const twice = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/${draft.id}/send`, {});
    assert.equal(twice.statusCode, 409, twice.body);
    await drain(t);
    assert.equal(sink.accepted.length, 1);
  }));

  it('PATCH edits a draft, isDraft: false publishes it through the send path; a sent reply is 409 to PATCH and DELETE', () => withSink(async (sink, t) => {
    const ticketId = await ticketOn(t, await mailboxOn(t, sink));
    const draft = (await reply(t, ticketId, { body: '<p>alt</p>', isDraft: true })).json().conversation;
    const edit = await t.call('PATCH', `/api/mind/ticket/${ticketId}/conversation/${draft.id}`, { body: '<p>neu</p>', to: ['anders@example.de'] });
    assert.equal(edit.statusCode, 200, edit.body);
    assert.equal(edit.json().conversation.body, '<p>neu</p>');
    assert.equal(edit.json().conversation.bodyPlain, 'neu');
    assert.equal(edit.json().conversation.deliveryStatus, 'draft');
    await drain(t);
    assert.equal(sink.accepted.length, 0);

    const bad = await t.call('PATCH', `/api/mind/ticket/${ticketId}/conversation/${draft.id}`, { to: ['kein-address'] });
    assert.equal(bad.statusCode, 422);
    assert.equal(bad.json().error.field, 'to[0]');

    const pub = await t.call('PATCH', `/api/mind/ticket/${ticketId}/conversation/${draft.id}`, { isDraft: false });
    assert.equal(pub.statusCode, 200, pub.body);
    assert.equal(pub.json().conversation.deliveryStatus, 'queued');
    await drain(t);
    assert.equal(sink.accepted.length, 1);
    assert.deepEqual(sink.accepted[0]!.to, ['anders@example.de']);
    assert.match((await parse(sink.accepted[0]!.raw)).text ?? '', /neu/);

    const patchSent = await t.call('PATCH', `/api/mind/ticket/${ticketId}/conversation/${draft.id}`, { body: '<p>zu spät</p>' });
    assert.equal(patchSent.statusCode, 409, patchSent.body);
    const delSent = await t.call('DELETE', `/api/mind/ticket/${ticketId}/conversation/${draft.id}`);
    assert.equal(delSent.statusCode, 409, delSent.body);
    const customerMsg = (await t.call('GET', `/api/mind/ticket/${ticketId}/conversation`)).json().conversations.find((c: any) => c.direction === 'in');
    assert.equal((await t.call('DELETE', `/api/mind/ticket/${ticketId}/conversation/${customerMsg.id}`)).statusCode, 409);
  }));

  it('a private note is stored as an internal note and never mailed; it can be edited and deleted', () => withSink(async (sink, t) => {
    const ticketId = await ticketOn(t, await mailboxOn(t, sink));
    const res = await reply(t, ticketId, { body: '<p>Kunde hat schon zweimal angerufen.</p>', private: true });
    assert.equal(res.statusCode, 200, res.body);
    const note = res.json().conversation;
    assert.equal(note.private, true);
    assert.equal(note.direction, 'internal');
    assert.equal(note.deliveryStatus, null);
    assert.equal(note.messageId, null);
    await drain(t);
    assert.equal(sink.accepted.length, 0);
    const jobs = await replyJobsOf(t, note.id);
    assert.equal(jobs.length, 0, 'no send job');
    assert.equal((await t.call('GET', `/api/mind/ticket/${ticketId}`)).json().firstResponseAt, null, 'a note is no response');

    const edit = await t.call('PATCH', `/api/mind/ticket/${ticketId}/conversation/${note.id}`, { body: '<p>dreimal</p>', isDraft: false });
    assert.equal(edit.statusCode, 200, edit.body);
    assert.equal(edit.json().conversation.body, '<p>dreimal</p>');
    await drain(t);
    assert.equal(sink.accepted.length, 0);
    const del = await t.call('DELETE', `/api/mind/ticket/${ticketId}/conversation/${note.id}`);
    assert.equal(del.statusCode, 200, del.body);
    const list = (await t.call('GET', `/api/mind/ticket/${ticketId}/conversation`)).json().conversations;
    assert.ok(!list.some((c: any) => c.id === note.id), 'a deleted note leaves the list');
    assert.equal((await t.call('PATCH', `/api/mind/ticket/${ticketId}/conversation/${note.id}`, { body: '<p>x</p>' })).statusCode, 404);
  }));

  it('bad input writes nothing: unknown ticket 404, bad address 422 naming to[0] / cc[0], empty body 422, bad template 422', async () => {
    const t = app();
    const sink = await SmtpSink.start();
    try {
      const ticketId = await ticketOn(t, await mailboxOn(t, sink));
      const before = await counts(t);
      const cases: Array<[number, Record<string, unknown>, number, string]> = [
        [999_999, { body: '<p>x</p>' }, 404, 'ticketId'],
        [ticketId, { body: '<p>x</p>', to: ['<string>'] }, 422, 'to[0]'],
        [ticketId, { body: '<p>x</p>', to: CUSTOMER, cc: [CUSTOMER, 'nope@'] }, 422, 'cc[1]'],
        [ticketId, { body: '<p> &nbsp;</p>\n' }, 422, 'body'],
        [ticketId, {}, 422, 'body'],
        [ticketId, { content: '   ' }, 422, 'content'],
        [ticketId, { body: '<p>x</p>', template: 1 }, 422, 'template'],
        [ticketId, { template: { id: 99_999 } }, 422, 'template.id'],
        [ticketId, { body: '<p>x</p>', attachments: [{ name: 'a.pdf', base64: '%%%' }] }, 422, 'attachments[0].base64'],
      ];
      for (const [id, body, status, field] of cases) {
        const res = await reply(t, id, body);
        assert.equal(res.statusCode, status, `${JSON.stringify(body)} → ${res.body}`);
        assert.equal(res.json().error.field, field, res.body);
      }
      assert.deepEqual(await counts(t), before, 'no conversation, no job');
      await drain(t);
      assert.equal(sink.accepted.length, 0);
    } finally {
      await sink.close();
    }
  });
}, ENV);

describeEachDb('replies without a mailbox', (app) => {
  it('a portal reply is stored (no mail) and the ConversationCreated event carries it', async () => {
    const t = app();
    const portal = await defaultSubchannel(t, 'portal');
    const created = await t.call('POST', '/api/mind/ticket?process=false', { channel: 'portal', subchannelId: portal, from: CUSTOMER, subject: 'Umzug', body: 'Ich ziehe um.' });
    assert.equal(created.statusCode, 200, created.body);
    const ticketId = created.json().id as number;
    const res = await reply(t, ticketId, { body: '<p>Danke, wir melden uns.</p>' });
    assert.equal(res.statusCode, 200, res.body);
    const c = res.json().conversation;
    assert.equal(c.deliveryStatus, 'stored');
    assert.equal(c.messageId, null);
    assert.deepEqual(c.toEmail, [CUSTOMER]);
    const events = (await t.call('POST', '/api/mind/event/search?limit=50', { filters: [{ key: 'e.ticketId', value: String(ticketId), comparator: '=' }] })).json().events as Array<{ type: string; data: Record<string, unknown> }>;
    const ev = events.find((e) => e.type === 'conversationCreated');
    assert.ok(ev, JSON.stringify(events));
    assert.equal(ev.data.conversationId, c.id);
    assert.equal(ev.data.deliveryStatus, 'stored');
    assert.equal(ev.data.subchannelId, portal);
    const jobs = await jobsOf(t, { task: 'sendReply' });
    assert.equal(jobs.length, 0);
    const ticket = (await t.call('GET', `/api/mind/ticket/${ticketId}`)).json();
    assert.ok(ticket.firstResponseAt && ticket.lastAgentMessageAt);
  });
});

describeEachDb('the per-mailbox send rate', (app) => {
  it('past SMTP_MAX_PER_MINUTE a reply waits queued, its job handed back for later, using up no attempt', async () => {
    const t = app();
    const sink = await SmtpSink.start();
    try {
      const ticketId = await ticketOn(t, await mailboxOn(t, sink));
      const a = (await reply(t, ticketId, { body: '<p>eins</p>' })).json().conversation;
      await drain(t);
      const b = (await reply(t, ticketId, { body: '<p>zwei</p>' })).json().conversation;
      await drain(t);
      assert.equal(sink.accepted.length, 1);
      assert.equal((await conversation(t, ticketId, a.id)).deliveryStatus, 'sent');
      const waiting = await conversation(t, ticketId, b.id);
      assert.equal(waiting.deliveryStatus, 'queued');
      assert.match(waiting.deliveryError, /SMTP_MAX_PER_MINUTE/);
      const jobs = await replyJobsOf(t, b.id);
      assert.deepEqual(jobs.map((j) => [j.status, j.attempts]), [['queued', 0]]);
      assert.ok(jobs[0]!.run_at > Date.now(), 'the job waits for a free minute');
    } finally {
      await sink.close();
    }
  });
}, { SMTP_MAX_PER_MINUTE: '1' });
