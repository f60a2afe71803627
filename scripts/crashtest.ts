import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openDatabase, type Db } from '../src/db/dialect.js';
import { listJobs } from '../src/jobs/queue.js';

// `npm run crashtest`: kill -9 a real service process (what `npm start` runs) in the middle of a
// bounded load of `process=batch` stores, several times, restart it each time, then count what
// survived: every answered store must be stored once, processed once, and every job the killed
// process left behind must be done within 60 s of the restart.
//
// SQLite by default (a temp DATA_DIR); with DATABASE_URL=postgres://… a scratch database is
// created on that server for the run and dropped afterwards. Kept short: the machine is shared.
//   CRASH_CYCLES (3)  kills     CRASH_LOAD_MS (1500)  load before each kill    CRASH_CLIENTS (8)

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CYCLES = Number(process.env.CRASH_CYCLES ?? 3);
const LOAD_MS = Number(process.env.CRASH_LOAD_MS ?? 1500);
const CLIENTS = Number(process.env.CRASH_CLIENTS ?? 8);
const TARGET_DELAY_MS = 60_000;
const ADMIN = { email: 'admin@crash.local', password: 'crash-test-password-1' };

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-crash-'));
const serverUrl = process.env.DATABASE_URL ?? '';
let databaseUrl = '';
let scratch = '';
if (serverUrl) {
  scratch = `tm_crash_${crypto.randomBytes(4).toString('hex')}`;
  await adminQuery(`create database ${scratch}`);
  const u = new URL(serverUrl);
  u.pathname = `/${scratch}`;
  databaseUrl = u.toString();
}

async function adminQuery(text: string): Promise<void> {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

interface Service { child: ChildProcess; base: string; cookie: string; readyAt: number }

async function startService(): Promise<Service> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: databaseUrl, LOG_LEVEL: 'error', NODE_ENV: 'production', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const until = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service exited with code ${child.exitCode} while starting`);
    const r = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) }).catch(() => null);
    if (r?.status === 200) return { child, base, cookie: r.headers.get('set-cookie')!.split(';')[0]!, readyAt: Date.now() };
    if (Date.now() > until) throw new Error('the service did not start within 120 s');
    await new Promise((res) => setTimeout(res, 100));
  }
}

async function kill9(s: Service): Promise<void> {
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGKILL');
  await exited;
}

async function post(s: Service, url: string, body: unknown): Promise<Response> {
  return fetch(`${s.base}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: s.cookie }, body: JSON.stringify(body) });
}

/** externalConversationId → conversation id, for every store that was answered 200. */
const accepted = new Map<string, number>();
let sent = 0;
let unanswered = 0;
const restarts: number[] = [];

async function load(s: Service, ticketIds: number[], cycle: number): Promise<void> {
  let stop = false;
  const clients = Array.from({ length: CLIENTS }, async (_, c) => {
    for (let i = 0; !stop; i++) {
      const ext = `crash-${cycle}-${c}-${i}`;
      sent++;
      try {
        const r = await post(s, `/api/mind/ticket/${ticketIds[c % ticketIds.length]}/conversation/store`, {
          process: 'batch', direction: 'in', externalConversationId: ext, body: `<p>Mein Zählerstand ist ${1000 + i},5 kWh. Bitte den Abschlag anpassen.</p>`,
        });
        if (r.status === 200) accepted.set(ext, ((await r.json()) as { conversationId: number }).conversationId);
        else unanswered++;
      } catch {
        unanswered++; // the process died with this request in flight: it may or may not be stored
        return;
      }
    }
  });
  // Killed at a random moment of the load, with stores and jobs in flight.
  await new Promise((r) => setTimeout(r, LOAD_MS / 2 + Math.random() * (LOAD_MS / 2)));
  await kill9(s);
  stop = true;
  await Promise.all(clients);
}

// Through the jobs module: on PostgreSQL the queue is graphile-worker's, not the jobs table.
async function openJobs(db: Db): Promise<number> {
  return (await listJobs(db, {})).filter((j) => j.status === 'queued' || j.status === 'running').length;
}

let service: Service | null = null;
let db: Db | null = null;
let exitCode = 0;
try {
  service = await startService();
  // Opened once the service has created and migrated the database.
  db = openDatabase({ kind: databaseUrl ? 'postgres' : 'sqlite', sqliteFile: path.join(dataDir, 'ticketmind.sqlite'), databaseUrl, poolSize: 2 });
  restarts.push(service.readyAt);
  const ticketIds: number[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await post(service, '/api/mind/ticket?process=false', { channel: 'email', from: 'kunde@example.de', subject: `Crash ${i}`, body: '<p>Hallo</p>' });
    ticketIds.push(((await r.json()) as { id: number }).id);
  }
  for (let cycle = 1; cycle <= CYCLES; cycle++) {
    await load(service, ticketIds, cycle);
    service = await startService();
    restarts.push(service.readyAt);
    console.log(`cycle ${cycle}: killed with -9 under load, restarted (${accepted.size} stores accepted so far)`);
  }
  // The last restart: wait for every job to finish (bounded), then stop cleanly and count.
  const until = Date.now() + 120_000;
  while ((await openJobs(db!)) > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
  const exited = new Promise((r) => service!.child.once('exit', r));
  service.child.kill('SIGTERM');
  await exited;
  service = null;

  const k = db.kysely;
  const rows = await k.selectFrom('conversations').select(['id', 'external_conversation_id', 'cortex_request_id']).where('external_conversation_id', 'like', 'crash-%').execute();
  const byExt = new Map<string, number[]>();
  for (const r of rows) byExt.set(r.external_conversation_id!, [...(byExt.get(r.external_conversation_id!) ?? []), r.id]);
  const found = [...accepted].filter(([ext, id]) => byExt.get(ext)?.includes(id)).length;
  const duplicatedRows = [...byExt.values()].filter((ids) => ids.length > 1).length;
  const runs = await k.selectFrom('cortex_requests').select(['conversation_id', 'status']).execute();
  const successes = new Map<number, number>();
  for (const r of runs) if (r.status === 'success') successes.set(r.conversation_id, (successes.get(r.conversation_id) ?? 0) + 1);
  const events = await k.selectFrom('events').select('conversation_id').where('type', 'in', ['ticketCreated', 'ticketResponse']).execute();
  const eventCount = new Map<number, number>();
  for (const e of events) if (e.conversation_id !== null) eventCount.set(e.conversation_id, (eventCount.get(e.conversation_id) ?? 0) + 1);
  const processedTwice = [...successes.values()].filter((n) => n > 1).length;
  const eventsTwice = [...eventCount.values()].filter((n) => n > 1).length;
  const staleRuns = runs.filter((r) => r.status === 'running').length;
  const jobs = await k.selectFrom('jobs').select(['status', 'created_at', 'updated_at']).where('task', '=', 'processConversation').execute();
  const done = jobs.filter((j) => j.status === 'done');
  // A job left behind by a kill is done after the restart that followed it: its delay is the time
  // from that restart being ready to its completion.
  let longest = 0;
  let leftByKills = 0;
  for (const j of done) {
    const restart = restarts.filter((t) => t > j.created_at && t <= j.updated_at).at(-1);
    if (restart === undefined) continue;
    leftByKills++;
    longest = Math.max(longest, j.updated_at - restart);
  }
  const unprocessed = rows.filter((r) => r.cortex_request_id === null).length;
  const report = {
    database: databaseUrl ? 'postgres' : 'sqlite',
    kills: CYCLES,
    sent,
    unansweredAtKill: unanswered,
    accepted: accepted.size,
    found,
    lost: accepted.size - found,
    stored: rows.length,
    duplicated: duplicatedRows + processedTwice + eventsTwice,
    jobs: jobs.length,
    jobsDone: done.length,
    jobsLeftByKills: leftByKills,
    unprocessed,
    staleCortexRuns: staleRuns,
    longestDelayAfterRestartMs: longest,
  };
  console.log(JSON.stringify(report));
  const ok = report.lost === 0 && report.duplicated === 0 && report.jobsDone === report.jobs && unprocessed === 0 && staleRuns === 0 && longest <= TARGET_DELAY_MS;
  console.log(ok ? 'crashtest: target met (0 lost, 0 duplicated, every job done within 60 s of its restart)' : 'crashtest: TARGET MISSED');
  if (!ok) exitCode = 1;
} finally {
  if (service) await kill9(service).catch(() => {});
  await db?.close();
  if (scratch) await adminQuery(`drop database if exists ${scratch} with (force)`);
  fs.rmSync(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
