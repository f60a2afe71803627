import { Forbidden } from '../errors.js';

// Who is calling. Enneo calls agents "profiles"; admins hold every right, agents work tickets
// but cannot manage settings, catalogue, other profiles or other profiles' keys.
export interface Actor {
  agentId: number;
  role: 'admin' | 'agent' | 'integration';
  via: 'session' | 'apiKey';
}

export function requireAdmin(actor: Actor, what: string): void {
  if (actor.role !== 'admin') throw new Forbidden(`${what} needs the admin role`);
}

export function requireSelfOrAdmin(actor: Actor, profileId: number, what: string): void {
  if (actor.role !== 'admin' && actor.agentId !== profileId) {
    throw new Forbidden(`${what} of another profile needs the admin role`);
  }
}
