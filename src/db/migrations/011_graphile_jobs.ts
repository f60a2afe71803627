import { sql, type Kysely, type Migration } from 'kysely';
import { Logger, runMigrations } from 'graphile-worker';
import type { Db } from '../dialect.js';
import { graphileEnqueue } from '../../jobs/graphileQueue.js';
import { hookQueueName, replyJobKeyPrefix } from '../../jobs/jobKeys.js';

// PostgreSQL's job queue moves to graphile-worker. This installs its schema (its own migrations,
// run through its documented runMigrations on its own connection of the pool: they commit
// before the move below, which needs graphile_worker.add_job) and moves every queued or running
// job of our `jobs` table across, in this migration's transaction: same task, payload, key,
// run_at, and the attempts it has left (a running job's interrupted attempt counts, as a
// restart on SQLite counts it). Finished rows stay in `jobs` as history until pruned. SQLite
// keeps its queue: nothing to do there.

const SEND_REPLY_TASK = 'sendReply';
const HOOK_DELIVERY_TASK = 'hookDelivery';

export function graphileJobsMigration(db: Db): Migration {
  return {
    async up(k: Kysely<any>) {
      if (db.kind !== 'postgres') return;
      if (!db.pgPool) throw new Error('011_graphile_jobs needs the PostgreSQL pool');
      await runMigrations({ pgPool: db.pgPool, logger: new Logger(() => () => {}) });
      await k.schema.createTable('job_worker_heartbeats').ifNotExists()
        .addColumn('worker_id', 'text', (c) => c.primaryKey())
        .addColumn('seen_at', 'bigint', (c) => c.notNull())
        .execute();
      const open = await k.selectFrom('jobs').selectAll().where('status', 'in', ['queued', 'running']).orderBy('id').execute();
      for (const j of open) {
        const payload = JSON.parse(j.payload) as Record<string, unknown>;
        let jobKey: string | null = j.job_key;
        let queueName: string | undefined;
        // Reply jobs had no key; graphile-worker's jobs view shows keys only, and erasure finds a
        // ticket's reply jobs by key (jobKeys.ts).
        if (!jobKey && j.task === SEND_REPLY_TASK && typeof payload.ticketId === 'number') jobKey = `${replyJobKeyPrefix(payload.ticketId)}${String(payload.conversationId)}:m${j.id}`;
        if (j.task === HOOK_DELIVERY_TASK && typeof payload.deliveryId === 'number') {
          const d = await k.selectFrom('hook_deliveries').select('hook_id').where('id', '=', payload.deliveryId).executeTakeFirst();
          // One lane: the migration does not know HOOK_MAX_IN_FLIGHT; new deliveries use it.
          if (d) queueName = hookQueueName(d.hook_id as number, payload.deliveryId, 1);
        }
        // The old queue needed a huge attempt limit for hooks (deferrals spent attempts); graphile-worker's is a smallint.
        const maxAttempts = Math.min(Number(j.max_attempts), 32_767);
        const id = await graphileEnqueue(k, j.task, payload, { jobKey: jobKey ?? undefined, runAt: Number(j.run_at), maxAttempts, queueName });
        if (id === null) throw new Error(`011_graphile_jobs: job ${j.id} (${j.task}) could not be moved: key ${jobKey} is taken`);
        const attempts = Math.min(Number(j.attempts), maxAttempts);
        await sql`select graphile_worker.reschedule_jobs(array[${id}]::bigint[], attempts => ${attempts}::int)`.execute(k);
        await k.deleteFrom('jobs').where('id', '=', j.id).execute();
      }
    },
  };
}
