import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../../src/config.js';
import { buildApp, type BuiltApp } from '../../src/app.js';
import { openDatabase } from '../../src/db/dialect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { guardSerializer } from './serializerGuard.js';

// Every test app is real: a fresh SQLite file in a temp dir, or a fresh PostgreSQL database
// created on TEST_DATABASE_URL's server and dropped afterwards.

export type DbKind = 'sqlite' | 'postgres';
export const ADMIN = { email: 'admin@test.local', password: 'admin-password-1' };

const PG_URL = process.env.TEST_DATABASE_URL ?? '';

/** One model cache for every test app and child service: the seeded catalogue trains once per code version, not per app. */
export const TEST_INTENT_MODEL_CACHE_DIR = path.join(os.tmpdir(), 'ticketmind-test-intent-models');

/**
 * The intent model settings of every test app and every service a test starts (src/main.ts,
 * src/worker.ts, buildApp), unless the model is what the test is about: the shared model cache,
 * and the sentence encoder off (+1 s and +195 MB per process, and a model of its own to train;
 * test/ai/sentenceEncoder.test.ts turns it on). Measured: a service started without these
 * trained the catalogue with sentence vectors on each start, 8–20 s of CPU per test file.
 */
export const TEST_INTENT_ENV = { INTENT_MODEL_CACHE_DIR: TEST_INTENT_MODEL_CACHE_DIR, INTENT_SENTENCE_ENCODER: 'off' } as const;

/** The databases this run covers. With CI=true PostgreSQL is mandatory. */
export function databases(): DbKind[] {
  if (PG_URL) return ['sqlite', 'postgres'];
  if (process.env.CI === 'true') throw new Error('CI=true but TEST_DATABASE_URL is not set: the PostgreSQL suite must run in CI');
  return ['sqlite'];
}

let warned = false;
export function noteSkippedPostgres(): void {
  if (!PG_URL && !warned) {
    warned = true;
    console.log('# PostgreSQL suite SKIPPED: set TEST_DATABASE_URL=postgres://… to run it (CI does)');
  }
}

export interface TestApp extends BuiltApp {
  kind: DbKind;
  dataDir: string;
  cookie: string;
  /** inject as the logged-in admin */
  call(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

// Creating a test database and running every migration on it cost 1–3 s per PostgreSQL test app
// (measured, loaded machine), paid by some 60 apps a run. The migrations run once per run and code
// version instead, into a template database named by a hash of the migration code; each app's
// database is a copy of it (CREATE DATABASE … TEMPLATE), which startApp's own migrateToLatest
// then finds up to date. A changed migration gives a new hash, so a stale template is never used.
let template: Promise<string> | null = null;

function migrationsHash(): string {
  const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../src/db');
  const h = crypto.createHash('sha256');
  for (const file of [path.join(root, 'migrate.ts'), ...fs.readdirSync(path.join(root, 'migrations')).sort().map((n) => path.join(root, 'migrations', n))]) {
    h.update(path.basename(file)).update('\0').update(fs.readFileSync(file)).update('\0');
  }
  return h.digest('hex').slice(0, 20);
}

function pgUrlOf(name: string): string {
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

async function withAdminClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** The migrated template database for this code version, built by the first test process that needs it. */
function migratedTemplate(): Promise<string> {
  template ??= withAdminClient(async (admin) => {
    const name = `tm_tpl_${migrationsHash()}`;
    // Test processes run side by side: one builds, the others wait on the lock and find it built.
    await admin.query('select pg_advisory_lock(hashtext($1))', [name]);
    try {
      const found = await admin.query('select 1 from pg_database where datname = $1', [name]);
      if (found.rowCount === 0) {
        // Half-built copies are what a builder killed mid-build left; holding the lock, we are the only builder.
        const stale = await admin.query("select datname from pg_database where starts_with(datname, $1)", [`${name}_b`]);
        for (const { datname } of stale.rows as Array<{ datname: string }>) await admin.query(`drop database if exists ${datname} with (force)`);
        // Built under another name and renamed when complete: a process killed mid-build leaves
        // no half-migrated template behind under the real name.
        const building = `${name}_b${crypto.randomBytes(3).toString('hex')}`;
        await admin.query(`create database ${building}`);
        const db = openDatabase({ kind: 'postgres', databaseUrl: pgUrlOf(building) });
        try {
          await migrateToLatest(db);
        } finally {
          await db.close();
        }
        await admin.query(`alter database ${building} rename to ${name}`);
      }
    } finally {
      await admin.query('select pg_advisory_unlock(hashtext($1))', [name]);
    }
    return name;
  });
  return template;
}

/** A fresh, migrated PostgreSQL database of its own, and how to drop it. */
export async function createPgDatabase(opts: { migrated?: boolean } = { migrated: true }): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `tm_test_${crypto.randomBytes(5).toString('hex')}`;
  const from = opts.migrated ? ` template ${await migratedTemplate()}` : '';
  await withAdminClient((admin) => admin.query(`create database ${name}${from}`));
  return {
    url: pgUrlOf(name),
    drop: () => withAdminClient((admin) => admin.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

export async function startApp(kind: DbKind = 'sqlite', env: Record<string, string> = {}, reuse?: { dataDir: string; pgUrl?: string }): Promise<TestApp> {
  const dataDir = reuse?.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tm-test-'));
  let pgDb: { url: string; drop: () => Promise<void> } | null = null;
  if (kind === 'postgres' && !reuse?.pgUrl) pgDb = await createPgDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATA_DIR: dataDir,
    DATABASE_URL: kind === 'postgres' ? reuse?.pgUrl ?? pgDb!.url : '',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    // Load shedding off: on a loaded machine it would answer the tests' requests 503.
    OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
    ...TEST_INTENT_ENV,
    ...env,
  });
  const built = await buildApp(config);
  guardSerializer(built.app);
  await built.app.ready();
  const login = await built.app.inject({ method: 'POST', url: '/api/auth/login', payload: ADMIN });
  if (login.statusCode !== 200) throw new Error(`test login failed: ${login.statusCode} ${login.body}`);
  const cookie = `connect.sid=${login.cookies.find((c) => c.name === 'connect.sid')!.value}`;
  return {
    ...built,
    kind,
    dataDir,
    cookie,
    call: (method, url, body, headers = {}) =>
      built.app.inject({ method: method as 'GET', url, ...(body === undefined ? {} : { payload: body as object }), headers: { cookie, ...headers } }),
    close: async () => {
      await built.app.close();
      if (pgDb) await pgDb.drop();
      if (!reuse) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Removes what a test that restarts apps on one data dir (and database) made: the data dir, and
 * on PostgreSQL its database. For tests that close their apps themselves (startApp's `reuse`).
 */
export async function dropTestResources(kind: DbKind, reuse: { dataDir: string; pgUrl?: string }): Promise<void> {
  fs.rmSync(reuse.dataDir, { recursive: true, force: true });
  if (kind !== 'postgres' || !reuse.pgUrl) return;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${new URL(reuse.pgUrl).pathname.slice(1)} with (force)`);
  await admin.end();
}

/** Creates a ticket through the API and returns its id. */
export async function createTicket(t: TestApp, body: Record<string, unknown> = {}): Promise<number> {
  const res = await t.call('POST', '/api/mind/ticket?process=false', { channel: 'email', from: 'kunde@example.de', subject: 'Frage', body: '<p>Hallo</p>', ...body });
  if (res.statusCode !== 200) throw new Error(`create ticket failed: ${res.statusCode} ${res.body}`);
  return res.json().id as number;
}

export async function defaultSubchannel(t: TestApp, channel = 'email'): Promise<number> {
  const res = await t.call('GET', '/api/mind/settings/subchannel');
  return (res.json().subchannels as Array<{ id: number; channel: string }>).find((s) => s.channel === channel)!.id;
}

export async function waitFor<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Files in the app's blob store (attachment bytes), to check a refused request wrote none. */
export function blobCount(t: TestApp): number {
  let n = 0;
  const walk = (d: string) => {
    for (const e of fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }) : []) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else n++;
    }
  };
  walk(path.join(t.dataDir, 'blobs'));
  return n;
}
