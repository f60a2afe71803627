import type { Actor } from './actor.js';
import { DomainError } from '../errors.js';

/**
 * The one rule for writing on behalf of another agent (`agentId` on store and ticket create):
 * an agent writes only as itself; an admin, or an integration profile calling with its API key
 * (a CRM or mail gateway relaying what its agents wrote), may name any agent. An integration's
 * session does not count: a person logged in as the integration is not a machine relaying.
 */
export function assertMayActAs(actor: Actor, agentId: number | null | undefined, field = 'agentId'): void {
  if (agentId == null || agentId === actor.agentId) return;
  if (actor.role === 'admin') return;
  if (actor.role === 'integration' && actor.via === 'apiKey') return;
  throw new DomainError(403, 'forbidden', `${field}: writing as another agent needs the admin role or an integration profile's API key`, field);
}
