import type { Db } from '../db/dialect.js';
import type { Transaction } from 'kysely';
import type { AgentRow, Database } from '../db/schema.js';
import { Conflict, Invalid, NotFound } from '../errors.js';
import { hashPassword } from '../auth/passwords.js';
import { isUniqueViolation } from '../db/dialect.js';
import { nowSeconds } from '../time.js';
import { parseAddress } from '../conversations/addresses.js';

// Enneo calls agents "profiles". Rights are named as in Enneo; the admin role holds them all.
const AGENT_RIGHTS = ['readTickets', 'createConversation', 'updateTicket', 'readEvents'];
// An integration is a machine client (CRM, mail gateway): an agent's rights, and with its API key
// it may write on behalf of any agent (auth/actAs.ts).
const INTEGRATION_RIGHTS = [...AGENT_RIGHTS, 'actAsAgents'];
const ADMIN_RIGHTS = [...AGENT_RIGHTS, 'actAsAgents', 'manageSettings', 'manageProfiles', 'manageApiKeys', 'manageAiAgents', 'eventHooks'];

export function serializeProfile(a: AgentRow) {
  return {
    id: a.id,
    email: a.email,
    name: a.name,
    role: a.role,
    permissions: a.role === 'admin' ? ADMIN_RIGHTS : a.role === 'integration' ? INTEGRATION_RIGHTS : AGENT_RIGHTS,
    enabled: a.enabled === 1,
    createdAt: a.created_at,
    modifiedAt: a.modified_at,
  };
}

export async function getProfile(db: Db, id: number) {
  const a = await db.kysely.selectFrom('agents').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  if (!a) throw new NotFound('profile', id, 'id');
  return serializeProfile(a);
}

export async function listProfiles(db: Db) {
  const rows = await db.kysely.selectFrom('agents').selectAll().where('deleted_at', 'is', null).orderBy('id').execute();
  return rows.map(serializeProfile);
}

export interface ProfileInput {
  email?: string | null;
  name?: string | null;
  password?: string | null;
  role?: 'admin' | 'agent' | 'integration' | null;
  enabled?: boolean | null;
}

function checkPassword(p: string) {
  if (p.length < 10) throw new Invalid('password', 'must have at least 10 characters', 'weak_password');
}

export async function createProfile(db: Db, input: ProfileInput & { email: string; name: string }) {
  const email = parseAddress(input.email, 'email').address.toLowerCase();
  if (input.password) checkPassword(input.password);
  const now = nowSeconds();
  try {
    const row = await db.kysely
      .insertInto('agents')
      .values({
        email,
        name: input.name,
        password_hash: input.password ? await hashPassword(input.password) : null,
        role: input.role ?? 'agent',
        enabled: input.enabled === false ? 0 : 1,
        created_at: now,
        modified_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  } catch (err) {
    if (isUniqueViolation(err)) throw new Conflict(`a profile with email ${email} exists`, 'email');
    throw err;
  }
}

/**
 * The service must keep an enabled admin: the last one cannot be demoted or disabled. Runs in the
 * transaction of the update; on PostgreSQL the enabled admins' rows are locked, so two admins
 * demoting each other at once cannot both succeed (SQLite runs transactions one at a time).
 */
async function assertAnotherEnabledAdmin(trx: Transaction<Database>, kind: Db['kind'], id: number, input: ProfileInput): Promise<void> {
  const demote = input.role != null && input.role !== 'admin';
  const disable = input.enabled === false;
  if (!demote && !disable) return;
  const query = trx.selectFrom('agents').select('id').where('role', '=', 'admin').where('enabled', '=', 1).where('deleted_at', 'is', null);
  const admins = await (kind === 'postgres' ? query.forUpdate() : query).execute();
  if (!admins.some((a) => a.id === id)) return; // not an enabled admin: nothing is lost
  if (admins.length < 2) throw new Conflict('the last enabled admin cannot be demoted or disabled', demote ? 'role' : 'enabled');
}

export async function updateProfile(db: Db, id: number, input: ProfileInput) {
  await getProfile(db, id);
  const set: Partial<AgentRow> = { modified_at: nowSeconds() };
  if (input.email != null) set.email = parseAddress(input.email, 'email').address.toLowerCase();
  if (input.name != null) set.name = input.name;
  if (input.role != null) set.role = input.role;
  if (input.enabled != null) set.enabled = input.enabled ? 1 : 0;
  if (input.password != null) {
    checkPassword(input.password);
    set.password_hash = await hashPassword(input.password);
  }
  try {
    await db.kysely.transaction().execute(async (trx) => {
      await assertAnotherEnabledAdmin(trx, db.kind, id, input);
      await trx.updateTable('agents').set(set).where('id', '=', id).execute();
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new Conflict(`a profile with email ${set.email} exists`, 'email');
    throw err;
  }
  if (input.password != null || input.enabled === false) {
    // A new password or a disabled account ends the sessions of that profile.
    await db.kysely.deleteFrom('sessions').where('agent_id', '=', id).execute();
  }
  return getProfile(db, id);
}

export async function deleteProfile(db: Db, id: number, actorId: number) {
  if (id === actorId) throw new Invalid('id', 'you cannot delete your own profile', 'self_delete');
  await getProfile(db, id);
  const now = nowSeconds();
  await db.kysely.transaction().execute(async (trx) => {
    await trx.updateTable('agents').set({ deleted_at: now, enabled: 0, modified_at: now }).where('id', '=', id).execute();
    await trx.updateTable('api_keys').set({ revoked_at: now }).where('agent_id', '=', id).where('revoked_at', 'is', null).execute();
    await trx.deleteFrom('sessions').where('agent_id', '=', id).execute();
  });
}
