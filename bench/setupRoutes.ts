import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../src/context.js';
import { mintApiKey } from '../src/auth/apiKeys.js';

/** The bench's setup routes (an API key, a ticket to store into), registered only by its servers. */
export function addSetupRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/bench/key', { config: { public: true } }, async () => mintApiKey(ctx.db.kysely, { agentId: 1, name: 'bench', ttlDays: 1, secret: ctx.secrets.apiKey }));
  app.get('/bench/ticket', { config: { public: true } }, async () => {
    const now = Math.floor(Date.now() / 1000);
    return ctx.db.kysely.insertInto('tickets').values({
      direction: 'in', to_emails: '[]', cc_emails: '[]', bcc_emails: '[]', channel: 'email', status: 'open', priority: 'low', subject: 'bench',
      body: '', body_plain: '', body_clean: '', ai_support_level: 'unprocessed', created_at: now, modified_at: now,
    }).returning('id').executeTakeFirstOrThrow();
  });
}
