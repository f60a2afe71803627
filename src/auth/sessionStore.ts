import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

// @fastify/session store backed by the `sessions` table, so sessions survive restarts and are
// shared by every API process on PostgreSQL.

type Callback = (err?: unknown) => void;
type GetCallback = (err: unknown, session?: any) => void;

interface StoredSession {
  agentId?: number;
  cookie?: { expires?: string | Date | null; originalMaxAge?: number | null };
}

export class DbSessionStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly ttlSeconds: number,
  ) {}

  set(sid: string, session: object, cb: Callback): void {
    const s = session as StoredSession;
    const expires = s.cookie?.expires ? new Date(s.cookie.expires).getTime() : Date.now() + this.ttlSeconds * 1000;
    const row = { sid, agent_id: s.agentId ?? null, data: JSON.stringify(session), expires_at: Math.floor(expires / 1000) };
    this.db
      .insertInto('sessions')
      .values(row)
      .onConflict((oc) => oc.column('sid').doUpdateSet({ agent_id: row.agent_id, data: row.data, expires_at: row.expires_at }))
      .execute()
      .then(() => cb(), cb);
  }

  get(sid: string, cb: GetCallback): void {
    this.db
      .selectFrom('sessions')
      .select(['data', 'expires_at'])
      .where('sid', '=', sid)
      .executeTakeFirst()
      .then((row) => {
        if (!row || row.expires_at * 1000 < Date.now()) return cb(null, null);
        cb(null, JSON.parse(row.data));
      }, (err) => cb(err));
  }

  destroy(sid: string, cb: Callback): void {
    this.db.deleteFrom('sessions').where('sid', '=', sid).execute().then(() => cb(), cb);
  }
}

export async function sweepExpiredSessions(db: Kysely<Database>): Promise<number> {
  const res = await db.deleteFrom('sessions').where('expires_at', '<', Math.floor(Date.now() / 1000)).executeTakeFirst();
  return Number(res.numDeletedRows);
}
