// npx tsx scripts/scale-timings.ts [--db sqlite|postgres] [--database-url …] [--data-dir DIR]
//   [--runs 100] [--explain FILE]
// On a seeded database (npm run seed): the real service on 127.0.0.1, and p50/p95 of the read
// routes a big installation lives on — ticket search (status, channel, q), a ticket's
// conversation list, event search — each request over HTTP, one at a time, parameters varied
// per request so that no single cached row answers them all. With --explain, the SQL each route
// ran (captured at the driver) is run again under EXPLAIN (ANALYZE, BUFFERS) (PostgreSQL) or
// EXPLAIN QUERY PLAN plus its own time (SQLite), and written to FILE.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import SQLite from 'better-sqlite3';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/app.js';
import { mintApiKey } from '../src/auth/apiKeys.js';
import { prng, pick } from './seed/corpus.js';

const { values } = parseArgs({
  options: {
    db: { type: 'string' }, 'database-url': { type: 'string' }, 'data-dir': { type: 'string' },
    runs: { type: 'string', default: '100' }, explain: { type: 'string' }, only: { type: 'string' },
  },
});
const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL ?? '';
const kind = values.db ?? (databaseUrl ? 'postgres' : 'sqlite');
const runs = Number(values.runs);

// The statements a request runs, captured at the driver (the routes' own SQL, as Kysely built it).
type Captured = { sql: string; params: unknown[] };
let capture: Captured[] | null = null;
const pgQuery = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  // A text and its values, or (a prepared statement, src/db/preparedStatements.ts) a config object.
  const [first, second] = args;
  const config = typeof first === 'object' && first !== null && 'text' in first ? (first as { text: string; values?: unknown[] }) : null;
  const text = config ? config.text : first;
  const params = config ? config.values : second;
  if (capture && typeof text === 'string' && !/^(begin|commit|rollback)/i.test(text)) capture.push({ sql: text, params: (params as unknown[]) ?? [] });
  return pgQuery.apply(this, args);
} as typeof pg.Client.prototype.query;
const sqlitePrepare = SQLite.prototype.prepare;
const sqliteSql = new WeakMap<object, string>();
SQLite.prototype.prepare = function (this: SQLite.Database, source: string) {
  const s = sqlitePrepare.call(this, source);
  sqliteSql.set(s, source);
  for (const m of ['all', 'get', 'run', 'iterate'] as const) {
    const orig = s[m] as (...a: unknown[]) => unknown;
    (s as unknown as Record<string, unknown>)[m] = (...a: unknown[]) => {
      if (capture && /^\s*select/i.test(source)) capture.push({ sql: source, params: a });
      return orig.apply(s, a);
    };
  }
  return s;
} as typeof SQLite.prototype.prepare;

const config = loadConfig({
  // On PostgreSQL the data dir holds only this run's key file and model cache: a temp dir, not ./data.
  ...process.env, DATA_DIR: values['data-dir'] ?? (kind === 'postgres' ? fs.mkdtempSync(path.join(os.tmpdir(), 'tm-scale-')) : process.env.DATA_DIR ?? './data'), DATABASE_URL: kind === 'postgres' ? databaseUrl : '',
  LOG_LEVEL: 'warn', WORKER_ENABLED: 'false', OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
});
const { app, ctx } = await buildApp(config);
// Training the intent model at start would share the cores with the measured requests.
await ctx.intents.settled();
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
const key = await mintApiKey(ctx.db.kysely, { agentId: 1, name: 'scale-timings', ttlDays: 1, secret: ctx.secrets.apiKey });
const auth = { authorization: `Bearer ${key.token}`, 'content-type': 'application/json' };

const maxOf = async (t: 'tickets' | 'events') => Number((await ctx.db.kysely.selectFrom(t).select((eb) => eb.fn.max('id').as('m')).executeTakeFirstOrThrow()).m);
const maxT = await maxOf('tickets');
const maxE = await maxOf('events');
const longThread = await ctx.db.kysely.selectFrom('conversations').select('ticket_id').groupBy('ticket_id').having((eb) => eb.fn.countAll(), '>', 100).limit(20).execute();

interface Case {
  name: string;
  request: (r: () => number) => { method: 'GET' | 'POST'; url: string; body?: unknown };
}
const ticket = (r: () => number) => 1 + Math.floor(r() * Number(maxT));
const names = ['Müller', 'Schröder', 'Yılmaz', 'Köhler', 'Weber', 'Smith', 'Öztürk', 'Jäger'];
const CASES: Case[] = [
  { name: 'ticket search: status=open', request: () => ({ method: 'POST', url: '/api/mind/ticket/search', body: { filters: [{ key: 't.status', value: 'open' }] } }) },
  { name: 'ticket search: status in (open, pending), channel=email', request: () => ({ method: 'POST', url: '/api/mind/ticket/search', body: { filters: [{ key: 't.status', comparator: 'in', values: ['open', 'pending'] }, { key: 't.channel', value: 'email' }] } }) },
  { name: 'ticket search: status=open, channel=letter, by lastMessageAt', request: () => ({ method: 'POST', url: '/api/mind/ticket/search', body: { filters: [{ key: 't.status', value: 'open' }, { key: 't.channel', value: 'letter' }], orderByField: 't.lastMessageAt' } }) },
  { name: 'ticket search: q=<meter number> (rare)', request: (r) => ({ method: 'POST', url: '/api/mind/ticket/search', body: { q: `1ESY${1100000000 + ((ticket(r) * 7919) % 899999999)}` } }) },
  { name: 'ticket search: q=<surname> + status=open', request: (r) => ({ method: 'POST', url: '/api/mind/ticket/search', body: { q: pick(r, names), filters: [{ key: 't.status', value: 'open' }] } }) },
  { name: 'ticket search: q=<surname city> (two words)', request: (r) => ({ method: 'POST', url: '/api/mind/ticket/search', body: { q: `${pick(r, names)} ${pick(r, ['Lübeck', 'Göttingen', 'Würzburg', 'Bremen'])}` } }) },
  { name: 'ticket search: q=Kündigung (common word)', request: () => ({ method: 'POST', url: '/api/mind/ticket/search', body: { q: 'Kündigung' } }) },
  { name: 'conversation list: a random ticket', request: (r) => ({ method: 'GET', url: `/api/mind/ticket/${ticket(r)}/conversation` }) },
  { name: 'conversation list: a 150-message ticket (page of 100)', request: (r) => ({ method: 'GET', url: `/api/mind/ticket/${longThread.length ? pick(r, longThread).ticket_id : ticket(r)}/conversation` }) },
  { name: 'event search: e.ticketId=<ticket>', request: (r) => ({ method: 'POST', url: '/api/mind/event/search', body: { filters: [{ key: 'e.ticketId', value: ticket(r) }] } }) },
  { name: 'event search: e.type=ticketCreated (latest 20)', request: () => ({ method: 'POST', url: '/api/mind/event/search', body: { filters: [{ key: 'e.type', value: 'ticketCreated' }] } }) },
  { name: 'event search: e.id > <recent> (hook consumer catching up)', request: (r) => ({ method: 'POST', url: '/api/mind/event/search?orderByDirection=asc', body: { filters: [{ key: 'e.id', comparator: '>', value: maxE - 1 - Math.floor(r() * 5000) }] } }) },
  { name: 'event search: no filter (latest 20)', request: () => ({ method: 'POST', url: '/api/mind/event/search', body: {} }) },
];

async function call(req: { method: string; url: string; body?: unknown }) {
  const res = await fetch(base + req.url, { method: req.method, headers: auth, body: req.body === undefined ? undefined : JSON.stringify(req.body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${req.method} ${req.url}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as { total?: number; tickets?: unknown[]; conversations?: unknown[]; events?: unknown[] };
}

const q = (xs: number[], p: number) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const counts = await ctx.db.kysely.selectNoFrom((eb) => [
  eb.selectFrom('tickets').select(eb.fn.countAll().as('n')).as('tickets'),
  eb.selectFrom('conversations').select(eb.fn.countAll().as('n')).as('conversations'),
  eb.selectFrom('events').select(eb.fn.countAll().as('n')).as('events'),
]).executeTakeFirstOrThrow();
console.log(`${kind}: ${Number(counts.tickets).toLocaleString('en')} tickets, ${Number(counts.conversations).toLocaleString('en')} conversations, ${Number(counts.events).toLocaleString('en')} events; ${runs} requests per row, one at a time, over HTTP\n`);
console.log(`| query | p50 ms | p95 ms | rows (total) |\n|---|---:|---:|---:|`);
const explained: string[] = [];
for (const c of CASES.filter((x) => !values.only || x.name.includes(values.only))) {
  const r = prng(7);
  for (let i = 0; i < 5; i++) await call(c.request(r));
  const times: number[] = [];
  let last: Awaited<ReturnType<typeof call>> = {};
  for (let i = 0; i < runs; i++) {
    const req = c.request(r);
    const t0 = performance.now();
    last = await call(req);
    times.push(performance.now() - t0);
  }
  const shown = (last.tickets ?? last.conversations ?? last.events ?? []).length;
  console.log(`| ${c.name} | ${q(times, 50).toFixed(1)} | ${q(times, 95).toFixed(1)} | ${shown}${last.total !== undefined ? ` (${last.total})` : ''} |`);
  if (values.explain) explained.push(await explain(c));
}
if (values.explain) fs.writeFileSync(values.explain, explained.join('\n'));
await app.close();

async function explain(c: Case): Promise<string> {
  capture = [];
  await call(c.request(prng(11)));
  const statements = capture;
  capture = null;
  const out = [`### ${c.name}\n`];
  for (const s of statements) {
    if (/api_keys|from "?agents"?|sessions/.test(s.sql) && !/tickets|conversations|events/.test(s.sql)) continue; // auth, not the route
    out.push('```sql', s.sql.replace(/\s+/g, ' ').slice(0, 1500), `-- params: ${JSON.stringify(s.params).slice(0, 300)}`, '```', '```');
    if (kind === 'postgres') {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      const res = await pgQuery.call(client, `explain (analyze, buffers) ${s.sql}`, s.params) as { rows: { 'QUERY PLAN': string }[] };
      await client.end();
      out.push(...res.rows.map((x) => x['QUERY PLAN']));
    } else {
      const db = new SQLite(config.sqliteFile, { readonly: true });
      const all = (st: SQLite.Statement) => (st.all as (...a: unknown[]) => unknown[]).apply(st, s.params);
      const plan = all(sqlitePrepare.call(db, `explain query plan ${s.sql}`)) as { detail: string }[];
      const stmt = sqlitePrepare.call(db, s.sql);
      const t0 = performance.now();
      all(stmt);
      out.push(...plan.map((p) => p.detail), `-- ran in ${(performance.now() - t0).toFixed(1)} ms`);
      db.close();
    }
    out.push('```');
  }
  return out.join('\n');
}
