import fp from 'fastify-plugin';
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import type { Actor } from '../auth/actor.js';
import { hashToken } from '../auth/apiKeys.js';
import { DbSessionStore } from '../auth/sessionStore.js';
import { Unauthorized } from '../errors.js';
import type { Db } from '../db/dialect.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    /** false: the route is public (login, health probes). */
    auth?: boolean;
  }
}
declare module '@fastify/session' {
  interface FastifySessionObject {
    agentId?: number;
  }
}

const apiKeyByHash = (db: Db['kysely'], v: { tokenHash: string }) =>
  db
    .selectFrom('api_keys as k')
    .innerJoin('agents as a', 'a.id', 'k.agent_id')
    .select(['k.id', 'k.expires_at', 'k.revoked_at', 'k.last_used_at', 'a.id as agentId', 'a.role', 'a.enabled', 'a.deleted_at'])
    .where('k.token_hash', '=', v.tokenHash)
    .execute();

// Last-use timestamps are written at most once a minute per key, to keep the hot path read-only.
const LAST_USED_GRANULARITY = 60;

/** Every /api/mind route needs a session cookie (`connect.sid`) or an API key (`Bearer`). */
export const authPlugin = fp(async (app, { ctx }: { ctx: AppContext }) => {
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: ctx.secrets.session,
    cookieName: 'connect.sid',
    saveUninitialized: false,
    rolling: false,
    store: new DbSessionStore(ctx.db.kysely, ctx.config.SESSION_TTL_SECONDS),
    cookie: { httpOnly: true, sameSite: 'lax', secure: ctx.config.COOKIE_SECURE, path: '/', maxAge: ctx.config.SESSION_TTL_SECONDS * 1000 },
  });
  app.decorateRequest('actor', null);

  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.auth === false) return;
    if (!request.url.startsWith('/api/')) return;
    request.actor = await authenticate(ctx, request);
  });
});

async function authenticate(ctx: AppContext, request: FastifyRequest): Promise<Actor> {
  const header = request.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new Unauthorized('Authorization must be "Bearer <api key>"');
    const now = Math.floor(Date.now() / 1000);
    const [row] = await apiKeyByHash(ctx.db.kysely, { tokenHash: hashToken(m[1]!) });
    if (!row || row.revoked_at !== null || row.expires_at <= now || !row.enabled || row.deleted_at !== null) {
      throw new Unauthorized('the API key is unknown, expired or revoked');
    }
    if (row.last_used_at === null || now - row.last_used_at >= LAST_USED_GRANULARITY) {
      await ctx.db.kysely.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', row.id).execute();
    }
    return { agentId: row.agentId, role: row.role, via: 'apiKey' };
  }
  const agentId = request.session?.agentId;
  if (agentId) {
    const agent = await ctx.db.kysely.selectFrom('agents').select(['id', 'role', 'enabled']).where('id', '=', agentId).where('deleted_at', 'is', null).executeTakeFirst();
    if (agent && agent.enabled) return { agentId: agent.id, role: agent.role, via: 'session' };
  }
  throw new Unauthorized();
}

/** The caller of an authenticated route (the hook has already refused anonymous calls). */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new Unauthorized();
  return request.actor;
}
