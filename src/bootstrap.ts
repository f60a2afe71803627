import crypto from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyBaseLogger } from 'fastify';
import type { Transaction } from 'kysely';
import type { Database } from './db/schema.js';
import type { Config } from './config.js';
import type { Db } from './db/dialect.js';
import { syncIdSequence } from './db/dialect.js';
import { hashPassword } from './auth/passwords.js';
import { CHANNELS } from './tickets/rules.js';
import { nowSeconds } from './time.js';

export const CATALOGUE_FILE = fileURLToPath(new URL('../data/ai-agents.json', import.meta.url));

export interface CatalogueEntry {
  id: number;
  code: string;
  name: { de: string; en: string };
  description: string;
  examples: { de: string[]; en: string[] };
}

/**
 * Seed data that has no natural unique key (default subchannels) exactly once, even when several
 * processes start together: the flag flips from pending to done in the same transaction as the
 * seed, and only the transaction whose update matched does the work. The others wait on the row
 * lock (PostgreSQL) or the write lock (SQLite), then match nothing. A crash rolls both back.
 */
async function seedOnce(db: Db, key: string, seed: (trx: Transaction<Database>) => Promise<void>): Promise<void> {
  await setting(db, key, () => 'pending');
  await db.kysely.transaction().execute(async (trx) => {
    const claimed = await trx.updateTable('settings').set({ value: 'done' }).where('key', '=', key).where('value', '=', 'pending').executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 1) await seed(trx);
  });
}

async function setting(db: Db, key: string, make: () => string): Promise<string> {
  await db.kysely.insertInto('settings').values({ key, value: make() }).onConflict((oc) => oc.column('key').doNothing()).execute();
  return (await db.kysely.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirstOrThrow()).value;
}

/**
 * First start: secrets, channels, one default subchannel per channel, the admin agent and the
 * seeded AI-agent catalogue. Every step is idempotent (unique keys + "do nothing" on conflict),
 * also when several processes start at once on PostgreSQL.
 */
export async function bootstrap(db: Db, config: Config, log: FastifyBaseLogger) {
  const random = () => crypto.randomBytes(32).toString('base64url');
  const secrets = {
    session: config.SESSION_SECRET || (await setting(db, 'session_secret', random)),
    apiKey: await setting(db, 'api_key_secret', random),
  };
  const now = nowSeconds();

  await db.kysely.insertInto('channels').values(CHANNELS.map((name) => ({ name }))).onConflict((oc) => oc.column('name').doNothing()).execute();
  await seedOnce(db, 'subchannels_seeded', async (trx) => {
    await trx
      .insertInto('subchannels')
      .values(CHANNELS.map((channel) => ({
        channel,
        name: channel === 'email' ? 'Service mailbox' : `${channel} (default)`,
        is_default: 1,
        interface: channel === 'email' ? 'internal' : 'api',
        enabled: 1,
        data: channel === 'email' ? JSON.stringify({ email: `service@${new URL(`http://${config.ADMIN_EMAIL.split('@')[1] ?? 'ticketmind.local'}`).hostname}` }) : null,
        created_at: now,
      })))
      .execute();
  });

  const admin = await db.kysely.selectFrom('agents').select('id').where('role', '=', 'admin').executeTakeFirst();
  if (!admin) {
    const generated = !config.ADMIN_PASSWORD;
    const password = config.ADMIN_PASSWORD || crypto.randomBytes(12).toString('base64url');
    const res = await db.kysely
      .insertInto('agents')
      .values({ email: config.ADMIN_EMAIL.toLowerCase(), name: 'Admin', password_hash: await hashPassword(password), role: 'admin', enabled: 1, created_at: now, modified_at: now })
      .onConflict((oc) => oc.column('email').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (res) {
      if (generated) log.warn({ email: config.ADMIN_EMAIL, password }, 'created the admin agent with a generated password (shown once; set ADMIN_PASSWORD to choose one)');
      else log.info({ email: config.ADMIN_EMAIL }, 'created the admin agent');
    }
  }

  await seedOnce(db, 'catalogue_seeded', async (trx) => {
    const entries = JSON.parse(fs.readFileSync(CATALOGUE_FILE, 'utf8')) as CatalogueEntry[];
    await trx
      .insertInto('ai_agents')
      .values(entries.map((e) => ({ id: e.id, code: e.code, name_de: e.name.de, name_en: e.name.en, description: e.description, examples: JSON.stringify(e.examples), enabled: 1, created_at: now, modified_at: now })))
      .onConflict((oc) => oc.column('code').doNothing())
      .execute();
    await syncIdSequence(trx, db.kind, 'ai_agents');
    log.info({ aiAgents: entries.length }, 'seeded the AI-agent catalogue');
  });
  return { secrets };
}
