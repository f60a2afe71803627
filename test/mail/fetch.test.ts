import { it, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describeEachDb } from '../helpers/suite.js';
import type { TestApp } from '../helpers/app.js';
import { dovecotAvailable, startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { newMessageId, rawMail } from './mails.js';

// Fetching real mailboxes from a real Dovecot (test/helpers/dovecot.ts), one Dovecot user per
// test so no test depends on another. The background fetcher is off in this suite
// (MAIL_FETCH_ENABLED=false): every pass is the webhook's, so each test knows exactly what was
// fetched when; the IDLE watcher has its own suite below.

const run = dovecotAvailable();
let dv: Dovecot;

async function connectMailbox(t: TestApp, opts: { secure?: boolean } = {}) {
  const { user, password } = dv.addUser();
  const res = await t.call('POST', '/api/mind/settings/subchannel', {
    channel: 'email', name: `Postfach ${user}`,
    data: { email: `${user}@stadtwerke.example`, imap: { host: dv.host, port: opts.secure ? dv.tlsPort : dv.port, secure: opts.secure ?? false, user, password, folder: 'INBOX', tlsVerify: false } },
  });
  assert.equal(res.statusCode, 200, res.body);
  return { id: res.json().id as number, user, password };
}

async function fetchNow(t: TestApp, id: number) {
  const res = await t.call('POST', `/api/mind/webhook/fetchEmails/${id}`, {});
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json();
  assert.equal(body.mailboxes[0].error, undefined, res.body);
  return body.mailboxes[0] as { stored: number; duplicates: number; quarantined: number; more: boolean; conversations: Array<{ ticketId: number; conversationId: number; newTicket: boolean }> };
}

async function conversationsOf(t: TestApp, ticketId: number) {
  const res = await t.call('GET', `/api/mind/ticket/${ticketId}/conversation`);
  assert.equal(res.statusCode, 200, res.body);
  const b = res.json();
  return (b.conversations ?? b) as Array<Record<string, any>>;
}

if (run) {
  before(async () => { dv = await startDovecot(); });
  after(async () => { await dv?.stop(); });

  describeEachDb('mail fetched from a real IMAP mailbox', (app) => {
    it('a customer mail with an attachment becomes a ticket with its attachment, AI intents and the raw message (TLS connection)', async () => {
      const t = app();
      const box = await connectMailbox(t, { secure: true });
      const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), crypto.randomBytes(2000)]);
      const messageId = newMessageId('first');
      const raw = rawMail({ messageId, subject: 'Mein Zählerstand', attachment: { name: 'zaehler.pdf', contentType: 'application/pdf', bytes: pdf } });
      await dv.append(box.user, raw);

      const r = await fetchNow(t, box.id);
      assert.equal(r.stored, 1);
      const { ticketId, conversationId, newTicket } = r.conversations[0]!;
      assert.equal(newTicket, true);
      await t.services.jobRunner!.drainOnce();

      const ticket = (await t.call('GET', `/api/mind/ticket/${ticketId}`)).json();
      assert.equal(ticket.subject, 'Mein Zählerstand');
      assert.equal(ticket.channel, 'email');
      assert.equal(ticket.subchannelId ?? ticket.subchannel?.id ?? box.id, box.id);
      const [conv] = await conversationsOf(t, ticketId);
      assert.equal(conv!.direction, 'in');
      assert.match(JSON.stringify(conv!.sender ?? conv!.from), /erika@kunde\.example/);
      assert.equal(conv!.attachments.length, 1);
      assert.equal(conv!.attachments[0].name, 'zaehler.pdf');
      const file = await t.call('GET', conv!.attachments[0].url);
      assert.equal(file.statusCode, 200);
      assert.deepEqual(file.rawPayload, pdf);

      const intents = await t.call('GET', `/api/mind/intent/byTicketId/${ticketId}`);
      assert.match(intents.body, /ai_agent_meter_reading/, intents.body);

      const rawRes = await t.call('GET', `/api/mind/ticket/${ticketId}/conversation/${conversationId}/raw`);
      assert.equal(rawRes.statusCode, 200);
      assert.equal(rawRes.headers['content-type'], 'message/rfc822');
      assert.equal(rawRes.rawPayload.toString('utf8'), raw);
      const wrongTicket = await t.call('GET', `/api/mind/ticket/${ticketId + 1000}/conversation/${conversationId}/raw`);
      assert.equal(wrongTicket.statusCode, 404);
    });

    it("the customer's answer (In-Reply-To) lands on the same ticket; a [#id] tag from the same sender too, from a stranger not", async () => {
      const t = app();
      const box = await connectMailbox(t);
      const first = newMessageId('q');
      await dv.append(box.user, rawMail({ messageId: first, subject: 'Abschlag ändern' }));
      const ticketId = (await fetchNow(t, box.id)).conversations[0]!.ticketId;

      await dv.append(box.user, rawMail({ subject: 'Re: Abschlag ändern', inReplyTo: first, references: [first], text: 'Noch eine Frage.' }));
      await dv.append(box.user, rawMail({ messageId: null, subject: `Nachtrag [#${ticketId}]`, text: 'Ohne Message-ID, mit Tag.' }));
      await dv.append(box.user, rawMail({ from: 'fremd@other.example', subject: `Hallo [#${ticketId}]`, text: 'Ein Fremder mit dem Tag.' }));
      const r = await fetchNow(t, box.id);
      assert.equal(r.stored, 3);
      const [answer, tagged, stranger] = r.conversations;
      assert.deepEqual([answer!.ticketId, answer!.newTicket], [ticketId, false]);
      assert.deepEqual([tagged!.ticketId, tagged!.newTicket], [ticketId, false]);
      assert.notEqual(stranger!.ticketId, ticketId);
      assert.equal(stranger!.newTicket, true);
      assert.equal((await conversationsOf(t, ticketId)).length, 3);
      // The mail without a Message-ID got a synthetic, deterministic one.
      const row = await t.ctx.db.kysely.selectFrom('conversations').select('message_id').where('id', '=', tagged!.conversationId).executeTakeFirstOrThrow();
      assert.match(row.message_id!, /@ticketmind\.invalid$/);
    });

    it('an auto-reply, a list mail and a bounce open nothing and are listed in the quarantine', async () => {
      const t = app();
      const box = await connectMailbox(t);
      const before = await t.ctx.db.kysely.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      await dv.append(box.user, rawMail({ subject: 'Abwesenheitsnotiz', headers: { 'Auto-Submitted': 'auto-replied' } }));
      await dv.append(box.user, rawMail({ subject: 'Newsletter', headers: { 'List-Id': '<news.kunde.example>' } }));
      await dv.append(box.user, rawMail({ subject: 'Ich bin im Urlaub', headers: { 'X-Autoreply': 'yes' } }));
      await dv.append(box.user, rawMail({ subject: 'Angebot', headers: { Precedence: 'bulk' } }));
      const r = await fetchNow(t, box.id);
      assert.deepEqual([r.stored, r.quarantined], [0, 4]);
      const after = await t.ctx.db.kysely.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(after.n), Number(before.n));
      const q = await t.call('GET', `/api/mind/settings/subchannel/${box.id}/quarantine`);
      assert.equal(q.statusCode, 200, q.body);
      assert.deepEqual(q.json().items.map((i: { kind: string }) => i.kind).sort(), ['auto_reply', 'auto_reply', 'auto_reply', 'list']);
    });

    it('the same mail fetched twice is stored once: two copies in the folder, and a refetch after a UIDVALIDITY change', async () => {
      const t = app();
      const box = await connectMailbox(t);
      const messageId = newMessageId('twice');
      const raw = rawMail({ messageId });
      await dv.append(box.user, raw);
      await dv.append(box.user, raw);
      const r = await fetchNow(t, box.id);
      assert.deepEqual([r.stored, r.duplicates], [1, 1]);
      // The folder's UIDs reassigned (as after a server migration): everything is fetched again, nothing stored again.
      await t.ctx.db.kysely.updateTable('mailbox_state').set({ uidvalidity: '1' }).where('subchannel_id', '=', box.id).execute();
      const again = await fetchNow(t, box.id);
      assert.deepEqual([again.stored, again.duplicates], [0, 2]);
      const rows = await t.ctx.db.kysely.selectFrom('conversations').select('id').where('message_id', '=', messageId).execute();
      assert.equal(rows.length, 1);
      const state = await t.ctx.db.kysely.selectFrom('mailbox_state').selectAll().where('subchannel_id', '=', box.id).executeTakeFirstOrThrow();
      assert.equal(Number(state.last_uid), 2);
      assert.notEqual(state.uidvalidity, '1');
    });

    it('a poison mail is set aside with its error and the next mail still arrives', async () => {
      const t = app();
      const box = await connectMailbox(t);
      const many = Array.from({ length: 101 }, (_, i) => i);
      const boundary = 'poison-b';
      const poison = [
        'From: erika@kunde.example', 'To: service@stadtwerke.example', 'Subject: 101 Anhänge', `Message-ID: <${newMessageId('poison')}>`,
        'MIME-Version: 1.0', `Content-Type: multipart/mixed; boundary="${boundary}"`, '',
        `--${boundary}`, 'Content-Type: text/plain', '', 'Hallo',
        ...many.flatMap((i) => [`--${boundary}`, `Content-Type: text/plain; name="f${i}.txt"`, `Content-Disposition: attachment; filename="f${i}.txt"`, '', `Datei ${i}`]),
        `--${boundary}--`, '',
      ].join('\r\n');
      await dv.append(box.user, poison);
      await dv.append(box.user, rawMail({ from: 'kaputt <nicht eine adresse>', subject: 'Absender kaputt' }));
      const good = newMessageId('good');
      await dv.append(box.user, rawMail({ messageId: good, subject: 'Nach dem Gift' }));
      const r = await fetchNow(t, box.id);
      assert.deepEqual([r.quarantined, r.stored], [2, 1]);
      const q = (await t.call('GET', `/api/mind/settings/subchannel/${box.id}/quarantine`)).json().items as Array<{ kind: string; error: string; uid: number; rawBlobHash: string | null }>;
      const byUid = new Map(q.map((i) => [i.uid, i]));
      assert.equal(byUid.get(1)!.kind, 'poison');
      assert.match(byUid.get(1)!.error, /attachments.*at most 100/);
      assert.match(byUid.get(1)!.rawBlobHash!, /^[0-9a-f]{64}$/);
      assert.equal(byUid.get(2)!.kind, 'poison');
      assert.match(byUid.get(2)!.error, /from/);
      const stored = await t.ctx.db.kysely.selectFrom('conversations').select('id').where('message_id', '=', good).execute();
      assert.equal(stored.length, 1);
      // The mailbox moved past the poison: a second pass finds nothing new.
      const again = await fetchNow(t, box.id);
      assert.deepEqual([again.stored, again.quarantined], [0, 0]);
    });

    it('the quarantine and the connection test are admin-only; fetch of a subchannel without IMAP settings is a 422', async () => {
      const t = app();
      const plain = await t.call('POST', '/api/mind/settings/subchannel', { channel: 'email', name: 'ohne IMAP', data: { email: 'x@stadtwerke.example' } });
      const id = plain.json().id as number;
      const res = await t.call('POST', `/api/mind/webhook/fetchEmails/${id}`, {});
      assert.equal(res.statusCode, 422, res.body);
      assert.equal(res.json().error.field, 'subchannelId');
      const missing = await t.call('POST', '/api/mind/webhook/fetchEmails/999999', {});
      assert.equal(missing.statusCode, 404);
      const access = t.app.routeAccess.filter((r) => r.url.endsWith('/quarantine') || r.url.endsWith('/subchannel/:id/test'));
      assert.ok(access.length >= 2 && access.every((r) => r.access === 'admin'), JSON.stringify(access));
    });
  }, { MAIL_FETCH_ENABLED: 'false' });

  describeEachDb('mail fetch limits, the lease and inline images', (app) => {
    it('bounded batches: a pass takes MAIL_FETCH_BATCH mails and says more is left; a mail over MAIL_MAX_BYTES is set aside undownloaded', async () => {
      const t = app();
      const box = await connectMailbox(t);
      await dv.append(box.user, rawMail({ subject: 'Groß', text: 'x'.repeat(3000) }));
      for (let i = 0; i < 3; i++) await dv.append(box.user, rawMail({ subject: `Klein ${i}`, text: 'kurz' }));
      const first = await fetchNow(t, box.id);
      assert.deepEqual([first.quarantined, first.stored, first.more], [1, 1, true]);
      const second = await fetchNow(t, box.id);
      assert.deepEqual([second.stored, second.more], [2, false]);
      const q = (await t.call('GET', `/api/mind/settings/subchannel/${box.id}/quarantine`)).json().items;
      assert.equal(q[0].kind, 'too_large');
      assert.equal(q[0].rawBlobHash, null);
      assert.match(q[0].error, /MAIL_MAX_BYTES/);
    });

    it('a mailbox whose lease another process holds is skipped, and fetched once that lease ran out', async () => {
      const t = app();
      const box = await connectMailbox(t);
      await dv.append(box.user, rawMail({ subject: 'Lease' }));
      await t.ctx.db.kysely.insertInto('mailbox_state').values({ subchannel_id: box.id, last_uid: 0, lease_owner: 'other-process', lease_until: Date.now() + 3_600_000 }).execute();
      const heldRes = await t.call('POST', `/api/mind/webhook/fetchEmails/${box.id}`, {});
      assert.equal(heldRes.statusCode, 200, heldRes.body);
      const held = heldRes.json().mailboxes[0];
      assert.deepEqual([held.stored, held.skipped], [0, 'another process is fetching this mailbox']);
      await t.ctx.db.kysely.updateTable('mailbox_state').set({ lease_until: Date.now() - 1 }).where('subchannel_id', '=', box.id).execute();
      assert.equal((await fetchNow(t, box.id)).stored, 1);
      const state = await t.ctx.db.kysely.selectFrom('mailbox_state').selectAll().where('subchannel_id', '=', box.id).executeTakeFirstOrThrow();
      assert.equal(state.lease_owner, null, 'released after the pass');
    });

    it('an inline cid: image becomes an inline attachment and the HTML points at its URL', async () => {
      const t = app();
      const box = await connectMailbox(t);
      const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');
      const b = 'rel-b';
      await dv.append(box.user, [
        'From: erika@kunde.example', 'To: service@stadtwerke.example', 'Subject: Foto', `Message-ID: <${newMessageId('cid')}>`, 'MIME-Version: 1.0',
        `Content-Type: multipart/related; boundary="${b}"`, '',
        `--${b}`, 'Content-Type: text/html; charset=utf-8', '', '<p>Mein Zähler:</p><img src="cid:zaehler@kunde.example">',
        `--${b}`, 'Content-Type: image/png; name="zaehler.png"', 'Content-Disposition: inline; filename="zaehler.png"', 'Content-ID: <zaehler@kunde.example>', 'Content-Transfer-Encoding: base64', '',
        png.toString('base64'), `--${b}--`, '',
      ].join('\r\n'));
      const { ticketId } = (await fetchNow(t, box.id)).conversations[0]!;
      const [conv] = await conversationsOf(t, ticketId);
      assert.equal(conv!.attachments.length, 1);
      assert.ok(conv!.body.includes(conv!.attachments[0].url), conv!.body);
      assert.ok(!conv!.body.includes('cid:'), conv!.body);
    });
  }, { MAIL_FETCH_ENABLED: 'false', MAIL_FETCH_BATCH: '2', MAIL_MAX_BYTES: '2048' });

  describeEachDb('the background fetcher', (app) => {
    it('IDLE: a mail delivered while the watcher idles is stored without any poll (MAIL_POLL_SECONDS is an hour)', async () => {
      const t = app();
      const box = await connectMailbox(t);
      await t.services.mailFetcher.refresh();
      const fetcher = t.services.mailFetcher;
      await waitUntil(() => fetcher.isIdling(box.id), 'the watcher to IDLE');
      const messageId = newMessageId('idle');
      await dv.append(box.user, rawMail({ messageId, subject: 'Per IDLE' }));
      await waitUntil(async () => (await t.ctx.db.kysely.selectFrom('conversations').select('id').where('message_id', '=', messageId).executeTakeFirst()) !== undefined, 'the mail to be stored');
      await fetcher.stop();
    });
  }, { MAIL_FETCH_ENABLED: 'true', MAIL_POLL_SECONDS: '3600' });
} else {
  describe('mail fetched from a real IMAP mailbox', () => {
    it('skipped: no Dovecot on this machine', { skip: 'install dovecot-imapd (/usr/sbin/dovecot) to run the mail tests' }, () => {});
  });
}

/** Waits for a positive condition (never for "nothing happened"); bounded so a failure ends. */
async function waitUntil(fn: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
