import crypto from 'node:crypto';
import { createSigner } from 'fast-jwt';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { NotFound } from '../errors.js';
import { nowSeconds } from '../time.js';

// Enneo's API keys are JWTs minted per profile. We sign them (so they look and decode like
// Enneo's) but authenticate by the SHA-256 of the whole token: only the hash and the last
// characters are stored, and a revoked or expired row stops the key at once.

export const hashToken = (token: string): string => crypto.createHash('sha256').update(token).digest('hex');

export interface MintedKey {
  id: number;
  name: string;
  token: string;
  lastChars: string;
  createdAt: number;
  expiresAt: number;
}

export async function mintApiKey(
  db: Kysely<Database>,
  opts: { agentId: number; name: string; ttlDays: number; secret: string },
): Promise<MintedKey> {
  const createdAt = nowSeconds();
  const expiresAt = createdAt + opts.ttlDays * 86400;
  const sign = createSigner({ key: opts.secret, algorithm: 'HS256' });
  const token = sign({ sub: String(opts.agentId), name: opts.name, jti: crypto.randomUUID(), iat: createdAt, exp: expiresAt });
  const lastChars = token.slice(-6);
  const row = await db
    .insertInto('api_keys')
    .values({ agent_id: opts.agentId, name: opts.name, token_hash: hashToken(token), last_chars: lastChars, created_at: createdAt, expires_at: expiresAt })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, name: opts.name, token, lastChars, createdAt, expiresAt };
}

export async function listApiKeys(db: Kysely<Database>, agentId: number) {
  const rows = await db.selectFrom('api_keys').selectAll().where('agent_id', '=', agentId).orderBy('id').execute();
  const now = nowSeconds();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    lastChars: r.last_chars,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    lastUsedAt: r.last_used_at,
    active: r.revoked_at === null && r.expires_at > now,
  }));
}

export async function revokeApiKey(db: Kysely<Database>, agentId: number, keyId: number): Promise<void> {
  const res = await db
    .updateTable('api_keys')
    .set({ revoked_at: nowSeconds() })
    .where('id', '=', keyId)
    .where('agent_id', '=', agentId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) {
    const exists = await db.selectFrom('api_keys').select('id').where('id', '=', keyId).where('agent_id', '=', agentId).executeTakeFirst();
    if (!exists) throw new NotFound('api key', keyId, 'keyId');
  }
}
