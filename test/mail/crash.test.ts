import { it, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN, TEST_INTENT_ENV, createPgDatabase, databases, noteSkippedPostgres, startApp, type DbKind } from '../helpers/app.js';
import { openDatabase, type Db } from '../../src/db/dialect.js';
import { dovecotAvailable, startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { newMessageId, rawMail } from './mails.js';

// kill -9 mid-fetch: a real service process (src/main.ts, what `npm start` runs) fetches six
// mails; the test-only hook TICKETMIND_TEST_MAIL_HANG_AT=3 makes it stop inside the transaction
// of the third (conversation written, position advanced, nothing committed) and say so on stdout,
// and the test kills it with SIGKILL right then — deterministic, no timer. Then: exactly two mails
// committed and the position at UID 2. A restarted process fetches the rest: six mails, each once.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = dovecotAvailable();
noteSkippedPostgres();
let dv: Dovecot;
const MAILS = 6;

function startService(env: Record<string, string>): { child: ChildProcess; exited: Promise<number | null>; output: () => string; line: (s: string) => Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_ENV: 'production', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password,
      ...TEST_INTENT_ENV, MAIL_POLL_SECONDS: '3600', MAIL_LEASE_SECONDS: '5', ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters: Array<{ s: string; resolve: () => void }> = [];
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of [...waiters]) if (out.includes(w.s)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child, exited, output: () => out,
    line: (s) => new Promise<void>((resolve, reject) => {
      if (out.includes(s)) return resolve();
      waiters.push({ s, resolve });
      void exited.then((code) => reject(new Error(`the service exited (${code}) before printing "${s}":\n${out}`)));
    }),
  };
}

async function counts(db: Db, subchannelId: number) {
  const k = db.kysely;
  const convs = await k.selectFrom('conversations').select('message_id').where('message_id', 'is not', null).execute();
  const state = await k.selectFrom('mailbox_state').select('last_uid').where('subchannel_id', '=', subchannelId).executeTakeFirst();
  const raws = await k.selectFrom('mail_messages').select('conversation_id').execute();
  return { messageIds: convs.map((c) => c.message_id!), lastUid: Number(state?.last_uid ?? 0), raws: raws.length };
}

async function withDb<T>(kind: DbKind, dataDir: string, pgUrl: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = openDatabase({ kind, sqliteFile: path.join(dataDir, 'ticketmind.sqlite'), databaseUrl: pgUrl });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

if (run) {
  before(async () => { dv = await startDovecot(); });
  after(async () => { await dv?.stop(); });

  for (const kind of databases()) {
    it(`kill -9 inside a fetch transaction loses and duplicates nothing [${kind}]`, async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-mailcrash-'));
      const pg = kind === 'postgres' ? await createPgDatabase() : null;
      const pgUrl = pg?.url ?? '';
      let service: ReturnType<typeof startService> | null = null;
      try {
        // Set up the database and the mailbox, then leave it to the service processes.
        const setup = await startApp(kind, { MAIL_FETCH_ENABLED: 'false' }, { dataDir, pgUrl });
        const { user, password } = dv.addUser();
        const sc = await setup.call('POST', '/api/mind/settings/subchannel', { channel: 'email', name: 'Crash', data: { imap: { host: dv.host, port: dv.port, secure: false, user, password, tlsVerify: false } } });
        assert.equal(sc.statusCode, 200, sc.body);
        const id = sc.json().id as number;
        await setup.app.close();
        const sent = Array.from({ length: MAILS }, (_, i) => newMessageId(`crash${i + 1}`));
        for (const [i, messageId] of sent.entries()) await dv.append(user, rawMail({ messageId, subject: `Mail ${i + 1}` }));

        service = startService({ DATA_DIR: dataDir, DATABASE_URL: pgUrl, TICKETMIND_TEST_MAIL_HANG_AT: '3' });
        await service.line('ticketmind-test: hanging inside the store of mail 3');
        service.child.kill('SIGKILL');
        await service.exited;

        const afterKill = await withDb(kind, dataDir, pgUrl, (db) => counts(db, id));
        assert.deepEqual(afterKill.messageIds.sort(), sent.slice(0, 2).sort(), 'the two committed mails, not the third');
        assert.equal(afterKill.lastUid, 2, 'the position is that of the last committed mail');
        assert.equal(afterKill.raws, 2);

        service = startService({ DATA_DIR: dataDir, DATABASE_URL: pgUrl });
        const until = Date.now() + 90_000;
        for (;;) {
          const c = await withDb(kind, dataDir, pgUrl, (db) => counts(db, id));
          if (c.lastUid === MAILS) break;
          if (Date.now() > until || service.child.exitCode !== null) throw new Error(`the restarted service did not fetch the rest: ${JSON.stringify(c)}\n${service.output()}`);
          await new Promise((r) => setTimeout(r, 100));
        }
        service.child.kill('SIGTERM');
        assert.equal(await service.exited, 0, service.output());
        service = null;

        const final = await withDb(kind, dataDir, pgUrl, (db) => counts(db, id));
        assert.deepEqual(final.messageIds.sort(), [...sent].sort(), 'every mail exactly once');
        assert.equal(final.raws, MAILS);
        const tickets = await withDb(kind, dataDir, pgUrl, (db) => db.kysely.selectFrom('tickets').select('subject').where('subchannel_id', '=', id).execute());
        assert.deepEqual(tickets.map((t) => t.subject).sort(), sent.map((_, i) => `Mail ${i + 1}`).sort());
      } finally {
        if (service) {
          service.child.kill('SIGKILL');
          await service.exited;
        }
        await pg?.drop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }
} else {
  describe('mail crash safety', () => {
    it('skipped: no Dovecot on this machine', { skip: 'install dovecot-imapd (/usr/sbin/dovecot) to run the mail tests' }, () => {});
  });
}
