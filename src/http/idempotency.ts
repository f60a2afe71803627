import crypto from 'node:crypto';
import fp from 'fastify-plugin';
import type { AppContext } from '../context.js';
import { BadRequest, Conflict, Invalid } from '../errors.js';
import { isUniqueViolation } from '../db/dialect.js';
import { nowSeconds } from '../time.js';
import { fingerprintReplacer } from '../attachments/largeBase64.js';

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: { actor: string; key: string } | null;
  }
}

// A request that is pending longer than this is taken as abandoned (its process died).
const ABANDONED_AFTER_SECONDS = 120;

/**
 * `Idempotency-Key` on any writing request: the first successful response is stored and
 * replayed for repeats of the same request by the same caller; a failed request frees the key.
 */
export const idempotencyPlugin = fp(async (app, { ctx }: { ctx: AppContext }) => {
  const db = ctx.db.kysely;
  app.decorateRequest('idempotency', null);

  app.addHook('preHandler', async (request, reply) => {
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || !request.actor || request.method === 'GET') return;
    if (key.length === 0 || key.length > 200) throw new BadRequest('Idempotency-Key', 'must have 1 to 200 characters');
    const actor = String(request.actor.agentId);
    // Large attachments decoded by the body parser count by the hash of their text (largeBase64.ts).
    const fingerprint = crypto.createHash('sha256').update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null, fingerprintReplacer)}`).digest('hex');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await db.insertInto('idempotency_keys').values({ actor, key, fingerprint, status_code: null, response: null, created_at: nowSeconds() }).execute();
        request.idempotency = { actor, key };
        return;
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
      const row = await db.selectFrom('idempotency_keys').selectAll().where('actor', '=', actor).where('key', '=', key).executeTakeFirst();
      if (!row) continue;
      if (row.fingerprint !== fingerprint) throw new Invalid('Idempotency-Key', 'this key was used for a different request', 'idempotency_key_reused');
      if (row.status_code === null) {
        if (nowSeconds() - row.created_at < ABANDONED_AFTER_SECONDS) throw new Conflict('a request with this Idempotency-Key is still in progress', 'Idempotency-Key');
        await db.deleteFrom('idempotency_keys').where('actor', '=', actor).where('key', '=', key).execute();
        continue;
      }
      reply.header('idempotency-replayed', 'true').header('content-type', 'application/json; charset=utf-8').code(row.status_code);
      return reply.send(row.response);
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const id = request.idempotency;
    if (!id) return payload;
    request.idempotency = null;
    const q = db.updateTable('idempotency_keys');
    if (reply.statusCode < 300 && typeof payload === 'string') {
      await q.set({ status_code: reply.statusCode, response: payload }).where('actor', '=', id.actor).where('key', '=', id.key).execute();
    } else {
      await db.deleteFrom('idempotency_keys').where('actor', '=', id.actor).where('key', '=', id.key).execute();
    }
    return payload;
  });
});

export async function sweepIdempotencyKeys(ctx: AppContext): Promise<void> {
  await ctx.db.kysely.deleteFrom('idempotency_keys').where('created_at', '<', nowSeconds() - ctx.config.IDEMPOTENCY_TTL_SECONDS).execute();
}
