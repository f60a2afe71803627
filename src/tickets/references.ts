import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { Invalid } from '../errors.js';

// The one check that an agent a client names exists, for store, ticket create and patch. It runs
// before any insert, so an unknown agent is a 422 naming the field, never a foreign-key 500.

export type AgentRef = { id: number; name: string; email: string };

export async function requireAgent(trx: Transaction<Database>, agentId: number, field = 'agentId'): Promise<AgentRef> {
  const agent = await trx.selectFrom('agents').select(['id', 'name', 'email']).where('id', '=', agentId).where('deleted_at', 'is', null).executeTakeFirst();
  if (!agent) throw new Invalid(field, `agent ${agentId} does not exist`, 'unknown_agent');
  return agent;
}
