import { sql, type Kysely } from 'kysely';

// Indexes the read routes need at a million conversations (docs/SCALE.md, measured with
// EXPLAIN ANALYZE on a seeded database). Ticket search answers a page and the exact `total`;
// the page came from the primary key in under a millisecond, but the count of `status = 'open'`
// read every matching heap row (77 ms for 73,000 tickets). Over (status, channel) of the live
// tickets the count is an index-only scan, and the common inbox filters (status, status +
// channel) find their rows in the index.
export function scaleIndexesMigration() {
  return {
    async up(db: Kysely<any>) {
      await db.schema.createIndex('tickets_live_status_channel_idx').on('tickets').columns(['status', 'channel', 'id'])
        .where(sql.ref('deleted_at'), 'is', null).execute();
    },
  };
}
