import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import rateLimit from '@fastify/rate-limit';
import type { AppContext } from '../../context.js';
import { PasswordWorkBusy, burnPasswordCheck, verifyPassword } from '../../auth/passwords.js';
import { DomainError, Unauthorized } from '../../errors.js';
import { getProfile } from '../../agents/profiles.js';
import { answers, SuccessOnly } from '../schemas/responses.js';
import { Profile } from '../schemas/accountResponse.js';

const LoginBody = Type.Object({ email: Type.String({ minLength: 1, maxLength: 320 }), password: Type.String({ minLength: 1, maxLength: 200 }) });
const normalEmail = (email: string) => email.trim().toLowerCase();

export const sessionRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  // Only the routes below are limited (global: false); the counters live in this process.
  await app.register(rateLimit, { global: false });
  const timeWindow = ctx.config.LOGIN_WINDOW_SECONDS * 1000;
  // Two counters per attempt, by client IP and by account (guessing one account's password from
  // many addresses is throttled too). createRateLimit, not rateLimit(): the plugin runs only the
  // first rateLimit() hook of a request.
  const perIp = app.createRateLimit({ max: ctx.config.LOGIN_MAX_PER_IP, timeWindow, keyGenerator: (request) => `ip:${request.ip}` });
  const perAccount = app.createRateLimit({
    max: ctx.config.LOGIN_MAX_PER_ACCOUNT,
    timeWindow,
    keyGenerator: (request) => `account:${normalEmail((request.body as { email: string }).email)}`,
  });
  const throttle = async (request: FastifyRequest, reply: FastifyReply) => {
    for (const [limit, what] of [[perIp, 'this address'], [perAccount, 'this account']] as const) {
      const r = await limit(request);
      if (!r.isAllowed && r.isExceeded) {
        reply.header('retry-after', String(Math.max(1, r.ttlInSeconds)));
        throw new DomainError(429, 'rate_limited', `too many login attempts for ${what}; retry in ${r.ttlInSeconds} s`);
      }
    }
  };

  app.post('/api/auth/login', {
    config: { public: true },
    schema: {
      tags: ['auth'],
      summary: 'Log in; sets the httpOnly connect.sid session cookie',
      description: `At most LOGIN_MAX_PER_ACCOUNT attempts per email and LOGIN_MAX_PER_IP per client IP in LOGIN_WINDOW_SECONDS (429 with Retry-After); 503 with Retry-After when too many password checks are already running.`,
      body: LoginBody,
      response: answers({ 200: Type.Object({ success: Type.Boolean(), profile: Profile }) }),
    },
    preHandler: throttle,
    handler: async (request, reply) => {
      const agent = await ctx.db.kysely
        .selectFrom('agents')
        .select(['id', 'password_hash', 'enabled'])
        .where('email', '=', normalEmail(request.body.email))
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      try {
        if (!agent) {
          await burnPasswordCheck(request.body.password);
          throw new Unauthorized('wrong email or password');
        }
        // A profile without a password is verified against a dummy hash: the same time to refuse.
        if (!(await verifyPassword(agent.password_hash, request.body.password)) || !agent.enabled) throw new Unauthorized('wrong email or password');
      } catch (err) {
        if (err instanceof PasswordWorkBusy) reply.header('retry-after', '1');
        throw err;
      }
      // A new session id at every login defeats session fixation.
      await request.session.regenerate();
      request.session.agentId = agent.id;
      await request.session.save();
      request.log.info({ agentId: agent.id }, 'login');
      return { success: true, profile: await getProfile(ctx.db, agent.id) };
    },
  });

  app.post('/api/auth/logout', {
    config: { public: true },
    schema: { tags: ['auth'], summary: 'Log out; ends the session', response: answers({ 200: SuccessOnly }) },
    handler: async (request, reply) => {
      if (request.session.agentId) await request.session.destroy();
      reply.clearCookie('connect.sid', { path: '/' });
      return { success: true };
    },
  });
};
