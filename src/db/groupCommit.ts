import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.js';

/** Runs `fn` in a transaction of its own or in a shared one; it commits or fails as one unit. */
export type WriteTransaction = <T>(fn: (trx: Transaction<Database>) => Promise<T>) => Promise<T>;

interface Pending {
  fn: (trx: Transaction<Database>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; err: unknown };

const SAVEPOINT = CompiledQuery.raw('savepoint group_commit_unit');
const RELEASE = CompiledQuery.raw('release group_commit_unit');
const ROLLBACK_TO = CompiledQuery.raw('rollback to group_commit_unit');

/**
 * Group commit for SQLite: the write transactions that arrive in one turn of the event loop
 * share one BEGIN … COMMIT, each inside a savepoint of its own.
 *
 * Why: SQLite has one writer, and a commit costs more than the rows it carries. Every commit
 * appends each page it changed to the WAL (the tail leaf of conversations, events and jobs,
 * their indexes, the ticket row, sqlite_sequence): ~11 frames and ~10 file-lock calls for one
 * stored message. Messages committed together share those pages and those calls.
 *
 * Each unit still commits or fails as a whole: a unit that throws is rolled back to its
 * savepoint and gets its own error, the others are unaffected; a failed COMMIT fails them all,
 * and no caller hears "done" before the COMMIT that holds its rows has returned.
 *
 * Units must only talk to the database: one that waited on the network would hold up every
 * other writer. Nothing is delayed to build a group; a group is whatever queued while the
 * previous one ran, so a lone request commits as soon as it would have on its own.
 */
export function groupCommit(kysely: Kysely<Database>, opts: { maxUnits?: number } = {}): WriteTransaction {
  const maxUnits = opts.maxUnits ?? 64;
  const queue: Pending[] = [];
  let running = false;

  async function runGroup(group: Pending[]): Promise<void> {
    const outcomes: Outcome[] = [];
    try {
      await kysely.transaction().execute(async (trx) => {
        if (group.length === 1) {
          outcomes.push({ ok: true, value: await group[0]!.fn(trx) });
          return;
        }
        for (const unit of group) {
          await trx.executeQuery(SAVEPOINT);
          try {
            const value = await unit.fn(trx);
            await trx.executeQuery(RELEASE);
            outcomes.push({ ok: true, value });
          } catch (err) {
            // If SQLite already rolled the whole transaction back (disk full, I/O error), this
            // throws too and the group fails below, as every unit in it must.
            await trx.executeQuery(ROLLBACK_TO);
            await trx.executeQuery(RELEASE);
            outcomes.push({ ok: false, err });
          }
        }
      });
    } catch (err) {
      // A lone unit's own error, or a group-wide failure: nothing of the group was committed.
      for (const unit of group) unit.reject(err);
      return;
    }
    group.forEach((unit, i) => {
      const o = outcomes[i]!;
      if (o.ok) unit.resolve(o.value);
      else unit.reject(o.err);
    });
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      await runGroup(queue.splice(0, maxUnits));
    }
    running = false;
  }

  return <T>(fn: (trx: Transaction<Database>) => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!running) {
        running = true;
        // One turn of the event loop: the requests parsed in this turn join the group.
        setImmediate(() => void drain());
      }
    });
}
