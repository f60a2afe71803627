import crypto from 'node:crypto';
import fp from 'fastify-plugin';
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import type { Actor } from '../auth/actor.js';
import { hashToken } from '../auth/apiKeys.js';
import { configurePasswordWork } from '../auth/passwords.js';
import { DbSessionStore } from '../auth/sessionStore.js';
import { Forbidden, Unauthorized } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    /** true: anyone may call the route (login, health probes, the API documentation). */
    public?: boolean;
    /** true: only profiles with the admin role may call the route. */
    admin?: boolean;
    /** true: the route is the metrics scrape; public unless METRICS_TOKEN is set, then Bearer METRICS_TOKEN. */
    metrics?: boolean;
  }
  interface FastifyInstance {
    /** Every route registered after the auth plugin, with the access its options declare. */
    routeAccess: RouteAccess[];
  }
}
declare module '@fastify/session' {
  interface FastifySessionObject {
    agentId?: number;
  }
}

export interface RouteAccess {
  method: string;
  url: string;
  access: 'public' | 'metrics' | 'admin' | 'authenticated';
}

// Routes that plugins register (swagger-ui's page, its JSON/YAML document and assets; the metrics
// scrape) cannot take our options from their own call sites, so they get them here, from the
// path they are registered under. The request URL is never consulted: auth follows the route the
// router matched, whatever spelling reached it.
const PUBLIC_PLUGIN_PREFIX = '/docs';
const METRICS_PATH = '/metrics';

// Last-use timestamps are written at most once a minute per key, to keep the hot path read-only.
const LAST_USED_GRANULARITY = 60;

/**
 * Default-deny: every route needs a session cookie (`connect.sid`) or an API key (`Bearer`) unless
 * its options say `config: { public: true }`; `config: { admin: true }` also needs the admin role.
 * Register it before any plugin that adds routes, so its onRoute hook sees them all.
 */
export const authPlugin = fp(async (app, { ctx }: { ctx: AppContext }) => {
  configurePasswordWork({ concurrency: ctx.config.PASSWORD_WORK_CONCURRENCY, maxWaiting: ctx.config.PASSWORD_WORK_MAX_WAITING });
  app.decorate('routeAccess', [] as RouteAccess[]);
  app.addHook('onRoute', (route) => {
    const config = (route.config ??= {});
    if (route.url === PUBLIC_PLUGIN_PREFIX || route.url.startsWith(`${PUBLIC_PLUGIN_PREFIX}/`)) config.public = true;
    if (route.url === METRICS_PATH) config.metrics = true;
    // The OpenAPI document says so too: no security requirement on a public route.
    if (config.public && route.schema) route.schema = { ...route.schema, security: [] };
    const access = config.public ? 'public' : config.metrics ? 'metrics' : config.admin ? 'admin' : 'authenticated';
    for (const method of [route.method].flat()) app.routeAccess.push({ method, url: route.url, access });
  });

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

  const metricsToken = ctx.config.METRICS_TOKEN;
  app.addHook('onRequest', async (request) => {
    // Unmatched URLs have no route config and fall through to authentication too: an anonymous
    // caller learns nothing, not even which paths exist.
    const config = request.routeOptions.config ?? {};
    if (config.public) return;
    if (config.metrics) {
      if (!metricsToken) return;
      if (!bearerMatches(request.headers.authorization, metricsToken)) throw new Unauthorized('metrics need Authorization: Bearer <METRICS_TOKEN>');
      return;
    }
    request.actor = await authenticate(ctx, request);
    if (config.admin && request.actor.role !== 'admin') {
      throw new Forbidden(`${request.method} ${request.routeOptions.url ?? ''} needs the admin role`);
    }
  });
});

function bearerMatches(header: string | undefined, token: string): boolean {
  const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!m) return false;
  // Compare digests so the comparison is constant-time whatever the lengths.
  const a = crypto.createHash('sha256').update(m[1]!).digest();
  const b = crypto.createHash('sha256').update(token).digest();
  return crypto.timingSafeEqual(a, b);
}

async function authenticate(ctx: AppContext, request: FastifyRequest): Promise<Actor> {
  const header = request.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new Unauthorized('Authorization must be "Bearer <api key>"');
    const now = Math.floor(Date.now() / 1000);
    const row = await ctx.db.kysely
      .selectFrom('api_keys as k')
      .innerJoin('agents as a', 'a.id', 'k.agent_id')
      .select(['k.id', 'k.expires_at', 'k.revoked_at', 'k.last_used_at', 'a.id as agentId', 'a.role', 'a.enabled', 'a.deleted_at'])
      .where('k.token_hash', '=', hashToken(m[1]!))
      .executeTakeFirst();
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


