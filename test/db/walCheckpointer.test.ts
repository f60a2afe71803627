import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/dialect.js';

// Commits on the service's connection only append to the write-ahead log; a worker thread copies
// it back. Under steady writes the log must still be started over (bounded), and nothing written
// may be lost.
test('the WAL stays bounded under steady writes, checkpointed off the event loop', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-wal-'));
  const file = path.join(dir, 'wal.sqlite');
  const resetFrames = 500;
  const pauses: number[] = [];
  const db = openDatabase({ kind: 'sqlite', sqliteFile: file, walResetFrames: resetFrames, onCheckpointerError: (err) => assert.fail(err), onCheckpointCatchUp: (ms) => pauses.push(ms) });
  try {
    assert.equal(await pragma(db, 'wal_autocheckpoint'), 0, 'commits never checkpoint themselves');
    await sql`create table blobs (id integer primary key, data blob not null)`.execute(db.kysely);
    const row = Buffer.alloc(3000, 7);
    // Without catch-ups this log grows to ~75 MB (measured: each commit logs ~3 pages).
    const rows = 6000;
    let largestWal = 0;
    const started = Date.now();
    for (let i = 0; i < rows; i++) {
      await db.kysely.transaction().execute(async (trx) => {
        await sql`insert into blobs (id, data) values (${i}, ${row})`.execute(trx);
      });
      // Give the worker's messages a turn, as HTTP traffic would.
      if (i % 20 === 0) {
        await new Promise((resolve) => setImmediate(resolve));
        largestWal = Math.max(largestWal, walBytes(file));
      }
    }
    const pageSize = Number(await pragma(db, 'page_size'));
    assert.ok(db.walCheckpointer!.catchUps >= 2, `the log was started over (${db.walCheckpointer!.catchUps} catch-ups in ${Date.now() - started} ms)`);
    assert.ok(largestWal < rows * pageSize, `WAL peaked at ${largestWal} bytes`);
    assert.equal(pauses.length, db.walCheckpointer!.catchUps, 'each catch-up reports its pause');
    assert.ok(pauses.every((ms) => ms >= 0 && ms < 5000), pauses.join(', '));
    const count = await sql<{ n: number }>`select count(*) as n from blobs`.execute(db.kysely);
    assert.equal(count.rows[0]!.n, rows);
  } finally {
    await db.close();
  }
  // The last connection to close checkpoints everything and removes the log.
  assert.equal(fs.existsSync(`${file}-wal`), false);
  const reopened = openDatabase({ kind: 'sqlite', sqliteFile: file });
  try {
    const count = await sql<{ n: number }>`select count(*) as n from blobs`.execute(reopened.kysely);
    assert.equal(count.rows[0]!.n, 6000);
  } finally {
    await reopened.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an in-memory database has no checkpointer', async () => {
  const db = openDatabase({ kind: 'sqlite' });
  assert.equal(db.walCheckpointer, null);
  await db.close();
});

async function pragma(db: ReturnType<typeof openDatabase>, name: string) {
  const r = await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(db.kysely);
  return Object.values(r.rows[0]!)[0];
}

function walBytes(file: string): number {
  try {
    return fs.statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
}
