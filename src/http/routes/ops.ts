import fs from 'node:fs';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';
import { ping } from '../../db/dialect.js';
import { jobCounts } from '../../jobs/queue.js';
import { answers } from '../schemas/responses.js';
import { HealthResponse, Liveness, Readiness, VersionResponse } from '../schemas/settingsResponse.js';

const pkg = JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };

export const opsRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const started = Date.now();
  // Liveness: the process answers. Readiness: it can reach its database.
  app.get('/healthz', { config: { public: true }, schema: { hide: true, response: { 200: Liveness } } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { public: true }, schema: { hide: true, response: { 200: Readiness, 503: Readiness } } }, async (request, reply) => {
    try {
      await ping(ctx.db);
      return { status: 'ready', database: ctx.db.kind };
    } catch (err) {
      request.log.warn({ err }, 'readiness check failed');
      return reply.code(503).header('retry-after', '5').send({ status: 'unavailable', database: ctx.db.kind });
    }
  });
  app.get('/api/mind/health', { schema: { tags: ['ops'], summary: 'Service health with database and queue state', response: answers({ 200: HealthResponse }) } }, async () => {
    await ping(ctx.db);
    return { success: true, status: 'ok', database: ctx.db.kind, uptimeSeconds: Math.round((Date.now() - started) / 1000), jobs: await jobCounts(ctx.db) };
  });
  app.get('/api/mind/version', { schema: { tags: ['ops'], summary: 'Version', response: answers({ 200: VersionResponse }) } }, async () => ({ success: true, name: pkg.name, version: pkg.version, node: process.version }));
};

export const packageVersion = pkg.version;
