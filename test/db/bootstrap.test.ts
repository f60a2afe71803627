import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Db } from '../../src/db/dialect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { bootstrap } from '../../src/bootstrap.js';
import { CHANNELS } from '../../src/tickets/rules.js';
import { createPgDatabase, databases, noteSkippedPostgres } from '../helpers/app.js';

// Several processes starting together on one fresh database (a deployment rolling out N
// replicas) must seed exactly one default subchannel per channel and one catalogue. On
// PostgreSQL the four starts run concurrently on their own pools. SQLite's busy wait blocks the
// thread, so four connections in one process would deadlock each other until the timeout;
// there the starts run one after another (separate processes serialise on the file lock).
const silent = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, fatal() {}, child: () => silent, level: 'silent' } as unknown as FastifyBaseLogger;
noteSkippedPostgres();
for (const kind of databases()) {
  test(`four first starts${kind === 'postgres' ? ' at once' : ''} seed everything once [${kind}]`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-boot-'));
    const pgDb = kind === 'postgres' ? await createPgDatabase({ migrated: false }) : null;
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dir, DATABASE_URL: pgDb?.url ?? '', ADMIN_EMAIL: 'admin@test.local', ADMIN_PASSWORD: 'admin-password-1' });
    const open = (): Db => openDatabase({ kind, sqliteFile: path.join(dir, 'ticketmind.db'), databaseUrl: pgDb?.url });
    const handles = [open(), open(), open(), open()];
    try {
      await migrateToLatest(handles[0]!);
      if (kind === 'postgres') await Promise.all(handles.map((db) => bootstrap(db, config, silent)));
      else for (const db of handles) await bootstrap(db, config, silent);

      const db = handles[0]!.kysely;
      const subchannels = await db.selectFrom('subchannels').select(['channel', 'is_default']).execute();
      assert.equal(subchannels.length, CHANNELS.length, 'one default subchannel per channel');
      assert.deepEqual(new Set(subchannels.map((s) => s.channel)), new Set(CHANNELS));
      const agents = await db.selectFrom('ai_agents').select('code').execute();
      assert.equal(agents.length, 8);
      const admins = await db.selectFrom('agents').select('id').where('role', '=', 'admin').execute();
      assert.equal(admins.length, 1);
    } finally {
      await Promise.all(handles.map((h) => h.close()));
      await pgDb?.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
