import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import { describeEachDb } from '../helpers/suite.js';
import { dovecotAvailable, startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { SmtpSink } from '../helpers/smtpSink.js';
import { newMessageId, rawMail } from './mails.js';

// The whole loop on real servers: a customer mail in the service's IMAP mailbox (Dovecot) becomes a
// ticket; the agent's reply goes out over SMTP (smtp-server, standing in for the customer's MTA,
// which files it into the customer's own Dovecot mailbox); the customer's client sees it threaded
// under their mail; their answer, sent to the service mailbox, lands on the same ticket.

const run = dovecotAvailable();
let dv: Dovecot;
let sink: SmtpSink;

if (run) {
  before(async () => {
    dv = await startDovecot();
    sink = await SmtpSink.start();
  });
  after(async () => {
    await sink?.close();
    await dv?.stop();
  });

  describeEachDb('mail round trip: customer mail in, reply out, the answer back on the same ticket', (app) => {
    it('threads across both directions on real IMAP and SMTP servers', async () => {
      const t = app();
      const service = dv.addUser();
      const customer = dv.addUser();
      const serviceAddress = `${service.user}@stadtwerke.example`;
      const customerAddress = `${customer.user}@kunde.example`;
      const sc = await t.call('POST', '/api/mind/settings/subchannel', {
        channel: 'email', name: 'Kundenservice',
        data: {
          email: serviceAddress,
          imap: { host: dv.host, port: dv.port, secure: false, user: service.user, password: service.password, tlsVerify: false },
          smtp: sink.smtpSettings({ fromName: 'Stadtwerke Kundenservice' }),
        },
      });
      assert.equal(sc.statusCode, 200, sc.body);
      const subchannelId = sc.json().id as number;
      const fetchNow = async () => {
        const res = await t.call('POST', `/api/mind/webhook/fetchEmails/${subchannelId}`, {});
        assert.equal(res.statusCode, 200, res.body);
        return res.json().mailboxes[0].conversations as Array<{ ticketId: number; newTicket: boolean }>;
      };

      // 1. The customer writes, with an attachment.
      const first = newMessageId('erika');
      const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), crypto.randomBytes(500)]);
      await dv.append(service.user, rawMail({ messageId: first, from: `Erika <${customerAddress}>`, to: serviceAddress, subject: 'Zählerstand', attachment: { name: 'foto.pdf', contentType: 'application/pdf', bytes: pdf } }));
      const [opened] = await fetchNow();
      assert.equal(opened!.newTicket, true);
      const ticketId = opened!.ticketId;
      await t.services.jobRunner!.drainOnce();
      const intents = (await t.call('GET', `/api/mind/intent/byTicketId/${ticketId}`)).json();
      assert.ok(JSON.stringify(intents).includes('ai_agent_meter_reading'), JSON.stringify(intents));

      // 2. The agent answers; the job mails it.
      const before = sink.accepted.length;
      const replied = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/reply`, { body: '<p>Danke, Ihr Zählerstand ist erfasst.</p>' });
      assert.equal(replied.statusCode, 200, replied.body);
      await t.services.jobRunner!.drainOnce();
      assert.equal(sink.accepted.length, before + 1);
      const sent = sink.accepted.at(-1)!;
      assert.deepEqual(sent.to, [customerAddress]);

      // 3. The customer's MTA files it into their mailbox; their client shows it under their mail.
      await dv.append(customer.user, sent.raw);
      const client = new ImapFlow({ host: dv.host, port: dv.port, secure: false, auth: { user: customer.user, pass: customer.password }, tls: { rejectUnauthorized: false }, logger: false });
      await client.connect();
      let inbox;
      try {
        await client.mailboxOpen('INBOX');
        const msg = await client.fetchOne('*', { source: true });
        inbox = await simpleParser((msg as { source: Buffer }).source);
      } finally {
        await client.logout();
      }
      assert.equal(inbox.inReplyTo, `<${first}>`);
      assert.ok(String(inbox.references).includes(first), String(inbox.references));
      assert.match(inbox.subject ?? '', new RegExp(`^Re: Zählerstand \\[#${ticketId}\\]$`));
      const replyId = inbox.messageId!.replace(/^<|>$/g, '');

      // 4. The customer answers that reply (their client sets In-Reply-To); it lands on the ticket.
      await dv.append(service.user, rawMail({ from: `Erika <${customerAddress}>`, to: serviceAddress, subject: `AW: ${inbox.subject}`, inReplyTo: replyId, references: [first, replyId], text: 'Vielen Dank!' }));
      const [answered] = await fetchNow();
      assert.deepEqual([answered!.ticketId, answered!.newTicket], [ticketId, false]);
      const thread = (await t.call('GET', `/api/mind/ticket/${ticketId}/conversation`)).json().conversations as Array<{ direction: string; bodyPlain: string }>;
      // The thread is ordered by each mail's Date header; the test mails share one fixed date.
      assert.deepEqual(thread.map((c) => c.direction).sort(), ['in', 'in', 'out']);
      assert.ok(thread.some((c) => c.direction === 'in' && c.bodyPlain.includes('Vielen Dank')));
    });
  }, { MAIL_FETCH_ENABLED: 'false', SMTP_RETRY_BASE_MS: '0' });
}
