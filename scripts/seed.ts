// npm run seed -- --conversations 1000000 [--db sqlite|postgres] [--database-url postgres://…]
//   [--data-dir DIR] [--seed N] [--parallel N]
// Fills a database, migrated by our own migrations and bootstrapped as on first start, with
// realistic tickets and conversations (German and English utility mails, all channels and
// statuses, tags, intents, the event log). Progress on stderr, a summary line on stdout.
// Defaults: PostgreSQL when --database-url or DATABASE_URL is given, else SQLite in DATA_DIR.
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.js';
import { openDatabase, syncIdSequence, type Db } from '../src/db/dialect.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { bootstrap } from '../src/bootstrap.js';
import { nowSeconds } from '../src/time.js';
import { buildBlock, type Ids, type Reference } from './seed/rows.js';
import { postgresWriter, sqliteWriter, type BlockWriter } from './seed/writers.js';

export interface SeedOptions {
  conversations: number;
  kind: 'sqlite' | 'postgres';
  databaseUrl?: string;
  dataDir?: string;
  seed?: number;
  parallel?: number;
  /** progress lines; default stderr */
  progress?: (line: string) => void;
}

export interface SeedResult {
  tickets: number;
  conversations: number;
  events: number;
  seconds: number;
}

const TICKETS_PER_BLOCK = 300;
const TAGS = ['Zählerstand', 'Umzug', 'Kündigung', 'Abschlag', 'Rechnung', 'Bankdaten', 'Tarif', 'Portal', 'Beschwerde', 'Rückruf', 'VIP', 'Eskalation'];

async function referenceData(db: Db): Promise<Reference> {
  const now = nowSeconds();
  const agents = Array.from({ length: 24 }, (_, i) => ({ email: `agent${i + 1}@seed.ticketmind.invalid`, name: `Agent ${i + 1}`, role: 'agent' as const, enabled: 1, created_at: now, modified_at: now }));
  await db.kysely.insertInto('agents').values(agents).onConflict((o) => o.column('email').doNothing()).execute();
  const known = new Set((await db.kysely.selectFrom('tags').select('name').execute()).map((t) => t.name));
  const newTags = TAGS.filter((t) => !known.has(t)).map((name) => ({ name, parent_id: null, color: null }));
  if (newTags.length) await db.kysely.insertInto('tags').values(newTags).execute();
  const subchannels = await db.kysely.selectFrom('subchannels').select(['id', 'channel', 'data']).where('is_default', '=', 1).execute();
  const email = subchannels.find((s) => s.channel === 'email');
  return {
    subchannels: new Map(subchannels.map((s) => [s.channel, s.id])),
    agents: await db.kysely.selectFrom('agents').select(['id', 'name', 'email']).where('email', 'like', '%@seed.ticketmind.invalid').orderBy('id').execute(),
    tagIds: (await db.kysely.selectFrom('tags').select('id').where('name', 'in', TAGS).execute()).map((t) => t.id),
    aiAgents: new Map((await db.kysely.selectFrom('ai_agents').select(['id', 'code']).execute()).map((a) => [a.code, a.id])),
    mailbox: (email?.data ? (JSON.parse(email.data) as { email?: string }).email : undefined) ?? 'service@ticketmind.local',
  };
}

async function nextIds(db: Db): Promise<Ids> {
  const next = async (table: 'tickets' | 'conversations' | 'events' | 'ticket_intents') =>
    Number((await db.kysely.selectFrom(table).select((eb) => eb.fn.max('id').as('m')).executeTakeFirst())?.m ?? 0) + 1;
  return { ticket: await next('tickets'), conversation: await next('conversations'), event: await next('events'), intent: await next('ticket_intents') };
}

export async function seed(opts: SeedOptions): Promise<SeedResult> {
  const progress = opts.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const config = loadConfig({ ...process.env, DATA_DIR: opts.dataDir ?? process.env.DATA_DIR ?? './data', DATABASE_URL: opts.kind === 'postgres' ? opts.databaseUrl ?? '' : '', LOG_LEVEL: 'warn' });
  const db = openDatabase({ kind: config.dbKind, sqliteFile: config.sqliteFile, databaseUrl: config.DATABASE_URL });
  let ids: Ids;
  let ref: Reference;
  try {
    await migrateToLatest(db);
    await bootstrap(db, config, pino({ level: 'warn' }, pino.destination(2)));
    ref = await referenceData(db);
    ids = await nextIds(db);
  } finally {
    await db.close();
  }
  const writer: BlockWriter = config.dbKind === 'postgres' ? postgresWriter(config.DATABASE_URL, opts.parallel ?? 2) : sqliteWriter(config.sqliteFile);
  const started = Date.now();
  const first = { ...ids };
  const seedValue = opts.seed ?? 1;
  let written = 0;
  let lastReport = 0;
  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;
  try {
    for (let left = opts.conversations; left > 0 && !failure;) {
      const block = buildBlock(seedValue, ids, ref, TICKETS_PER_BLOCK, left);
      left -= block.conversations.length;
      const p: Promise<void> = writer.write(block).then(
        () => {
          written += block.conversations.length;
          const s = (Date.now() - started) / 1000;
          if (s - lastReport >= 2 || written === opts.conversations) {
            lastReport = s;
            const rate = written / s;
            progress(`seed: ${written.toLocaleString('en')} / ${opts.conversations.toLocaleString('en')} conversations, ${rate.toFixed(0)}/s, ${s.toFixed(0)} s, ETA ${((opts.conversations - written) / rate).toFixed(0)} s`);
          }
        },
        (err: unknown) => {
          failure ??= err;
        },
      ).finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= writer.parallel) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (failure) throw failure;
  } finally {
    await writer.close();
  }

  // Identity sequences past the explicit ids, and planner statistics for the new rows (autovacuum
  // would gather them within minutes; the timings should not depend on when it ran). VACUUM also
  // sets the visibility map, without which no count is an index-only scan.
  const after = openDatabase({ kind: config.dbKind, sqliteFile: config.sqliteFile, databaseUrl: config.DATABASE_URL });
  try {
    for (const t of ['tickets', 'conversations', 'events', 'ticket_intents', 'tags', 'agents']) await syncIdSequence(after.kysely, after.kind, t);
    if (after.kind === 'postgres') await sql`vacuum analyze`.execute(after.kysely);
  } finally {
    await after.close();
  }
  const result = { tickets: ids.ticket - first.ticket, conversations: ids.conversation - first.conversation, events: ids.event - first.event, seconds: (Date.now() - started) / 1000 };
  progress(`seed: done, ${result.tickets} tickets, ${result.conversations} conversations, ${result.events} events in ${result.seconds.toFixed(1)} s`);
  return result;
}

function cli(): SeedOptions {
  const { values } = parseArgs({
    options: {
      conversations: { type: 'string', default: '10000' },
      db: { type: 'string' },
      'database-url': { type: 'string' },
      'data-dir': { type: 'string' },
      seed: { type: 'string', default: '1' },
      parallel: { type: 'string', default: '2' },
    },
  });
  const num = (name: string, v: string | undefined, max: number) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 1 || n > max) throw new Error(`--${name} must be an integer from 1 to ${max}, got ${v}`);
    return n;
  };
  const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL ?? '';
  const kind = values.db ?? (databaseUrl ? 'postgres' : 'sqlite');
  if (kind !== 'sqlite' && kind !== 'postgres') throw new Error(`--db must be sqlite or postgres, got ${kind}`);
  if (kind === 'postgres' && !databaseUrl.startsWith('postgres')) throw new Error('--db postgres needs --database-url postgres://… (or DATABASE_URL)');
  return {
    conversations: num('conversations', values.conversations, 100_000_000),
    kind,
    databaseUrl,
    dataDir: values['data-dir'],
    seed: num('seed', values.seed, 2 ** 31),
    parallel: num('parallel', values.parallel, 16),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await seed(cli());
  console.log(JSON.stringify(result));
}
