import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';
import { burnPasswordCheck, verifyPassword } from '../../auth/passwords.js';
import { Unauthorized } from '../../errors.js';
import { getProfile } from '../../agents/profiles.js';

export const sessionRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post('/api/auth/login', {
    config: { public: true },
    schema: {
      tags: ['auth'],
      summary: 'Log in; sets the httpOnly connect.sid session cookie',
      body: Type.Object({ email: Type.String({ minLength: 1, maxLength: 320 }), password: Type.String({ minLength: 1, maxLength: 200 }) }),
    },
    handler: async (request) => {
      const agent = await ctx.db.kysely
        .selectFrom('agents')
        .select(['id', 'password_hash', 'enabled'])
        .where('email', '=', request.body.email.trim().toLowerCase())
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (!agent) {
        await burnPasswordCheck(request.body.password);
        throw new Unauthorized('wrong email or password');
      }
      if (!(await verifyPassword(agent.password_hash, request.body.password)) || !agent.enabled) throw new Unauthorized('wrong email or password');
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
    schema: { tags: ['auth'], summary: 'Log out; ends the session' },
    handler: async (request, reply) => {
      if (request.session.agentId) await request.session.destroy();
      reply.clearCookie('connect.sid', { path: '/' });
      return { success: true };
    },
  });
};
