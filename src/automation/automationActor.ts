import type { Db } from '../db/dialect.js';
import type { Actor } from '../auth/actor.js';
import { nowSeconds } from '../time.js';

// Replies written by dark processing are authored by a profile of their own: it cannot log in
// (disabled, no password) and it tells a reader of the conversation that no person wrote it.
export const AUTOMATION_EMAIL = 'automation@ticketmind.invalid';

export async function automationActor(db: Db): Promise<Actor> {
  const now = nowSeconds();
  await db.kysely.insertInto('agents')
    .values({ email: AUTOMATION_EMAIL, name: 'ticketmind automation', password_hash: null, role: 'integration', enabled: 0, created_at: now, modified_at: now })
    .onConflict((oc) => oc.column('email').doNothing()).execute();
  const row = await db.kysely.selectFrom('agents').select('id').where('email', '=', AUTOMATION_EMAIL).executeTakeFirstOrThrow();
  return { agentId: row.id, role: 'integration', via: 'apiKey' };
}
