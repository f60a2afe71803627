import type { Db } from '../db/dialect.js';
import type { Actor } from './actor.js';
import { DomainError, Forbidden, Invalid } from '../errors.js';
import { verifyPassword } from './passwords.js';

/**
 * A password or email change (the two things that take over an account) needs the caller's own
 * current password, and a person: an API key, if stolen, must not be enough to lock the owner out.
 * An admin changing another profile re-authenticates with the admin's own password.
 */
export async function assertMayChangeCredentials(db: Db, actor: Actor, currentPassword: string | null | undefined): Promise<void> {
  if (actor.via === 'apiKey') throw new Forbidden('a password or email cannot be changed with an API key; log in');
  if (!currentPassword) throw new Invalid('currentPassword', 'is required to change a password or email', 'current_password_required');
  const row = await db.kysely.selectFrom('agents').select('password_hash').where('id', '=', actor.agentId).executeTakeFirst();
  if (!(await verifyPassword(row?.password_hash ?? null, currentPassword))) {
    throw new DomainError(403, 'wrong_password', 'currentPassword: is not the password of the calling profile', 'currentPassword');
  }
}
