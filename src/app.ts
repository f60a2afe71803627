import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import underPressure from '@fastify/under-pressure';
import fastifyMetrics from 'fastify-metrics';
import type { Config } from './config.js';
import { buildContext, closeContext, type AppContext } from './context.js';
import { buildServices, type BackgroundServices } from './services.js';
import { loggerOptions } from './logger.js';
import { frameworkErrors, registerErrorHandling } from './http/errorHandler.js';
import { registerValidation } from './http/validation.js';
import { registerJsonBodyParser } from './http/jsonBody.js';
import { registerQueryNormalisation } from './http/normalizeText.js';
import { authPlugin } from './http/auth.js';
import { serverOptions } from './http/serverOptions.js';
import { idempotencyPlugin } from './http/idempotency.js';
import { conversationRoutes } from './http/routes/conversations.js';
import { ticketRoutes } from './http/routes/tickets.js';
import { settingsRoutes } from './http/routes/settings.js';
import { profileRoutes } from './http/routes/profiles.js';
import { sessionRoutes } from './http/routes/session.js';
import { eventRoutes } from './http/routes/events.js';
import { aiAgentRoutes } from './http/routes/aiAgents.js';
import { eventHookRoutes } from './http/routes/eventHooks.js';
import { opsRoutes, packageVersion } from './http/routes/ops.js';
import { attachmentRoutes } from './http/routes/attachments.js';
import { replyRoutes } from './http/routes/replies.js';
import { templateRoutes } from './http/routes/templates.js';
import { webAppRoutes } from './http/webApp.js';
import { mailRoutes } from './http/routes/mail.js';
import { erasureRoutes } from './http/routes/erasure.js';
import { activityRoutes } from './http/routes/activity.js';
import { instanceSettingsRoutes } from './http/routes/instanceSettings.js';
import { automationRoutes } from './http/routes/automation.js';

export interface BuiltApp {
  app: FastifyInstance;
  ctx: AppContext;
  services: BackgroundServices;
}

/** The API process: the context, the HTTP app on it, and the background services (started on ready, stopped on close). */
export async function buildApp(config: Config): Promise<BuiltApp> {
  const app = Fastify({
    logger: loggerOptions(config),
    bodyLimit: config.BODY_LIMIT_BYTES,
    ...serverOptions(config),
    frameworkErrors,
  }).withTypeProvider<TypeBoxTypeProvider>();

  let services: BackgroundServices | null = null;
  const ctx = await buildContext(config, app.log, () => services?.jobRunner?.notify());
  services = buildServices(ctx);
  const { hookDispatcher } = services;

  registerValidation(app);
  registerErrorHandling(app, config.BODY_LIMIT_BYTES);
  registerJsonBodyParser(app, { maxDecodedBytes: config.ATTACHMENT_MAX_BYTES });
  registerQueryNormalisation(app);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  // First of the plugins that add routes: its onRoute hook gives each route its access (auth.ts).
  await app.register(authPlugin, { ctx });
  // under-pressure samples the event loop from its registration on, so its first sample covers
  // the start itself (schemas compiled, SQLite migrations on the event loop): on a loaded machine
  // a restarted service refused its first requests with 503. Delay read before two sample
  // intervals past ready is the start's, not load. Tests turn load shedding off
  // (test/helpers/app.ts): a loaded CI machine would shed their requests.
  let readyAt = Infinity;
  app.addHook('onReady', async () => { readyAt = performance.now(); });
  if (config.OVERLOAD_MAX_EVENT_LOOP_DELAY_MS > 0) await app.register(underPressure, {
    maxEventLoopDelay: config.OVERLOAD_MAX_EVENT_LOOP_DELAY_MS,
    retryAfter: 10,
    pressureHandler: (_req, reply, type, value) => {
      if (type === 'eventLoopDelay' && performance.now() - readyAt < 2000) return;
      reply.code(503).header('retry-after', '10').send({ success: false, error: { code: 'overloaded', message: `service overloaded (${type}: ${value}); retry later` } });
    },
  });
  // fastify-metrics is CommonJS with an `exports.default`; under NodeNext the plugin sits one level down.
  // Route latency as a histogram only: it aggregates across replicas, while a summary keeps a
  // t-digest per route in each process (~2% of the store path's CPU) that cannot be added up.
  await app.register(fastifyMetrics.default, { endpoint: '/metrics', clearRegisterOnInit: true, routeMetrics: { enabled: { histogram: true, summary: false } } });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'ticketmind — Enneo mind API', version: packageVersion, description: 'Customer-service backend speaking the Enneo "mind" API. Auth: connect.sid session cookie (POST /api/auth/login) or Authorization: Bearer <api key>.' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'connect.sid' },
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        },
      },
      security: [{ session: [] }, { bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(idempotencyPlugin, { ctx });
  for (const routes of [sessionRoutes, conversationRoutes, replyRoutes, templateRoutes, attachmentRoutes, ticketRoutes, activityRoutes, erasureRoutes, settingsRoutes, instanceSettingsRoutes, profileRoutes, eventRoutes, eventHookRoutes, aiAgentRoutes, automationRoutes, opsRoutes, webAppRoutes]) {
    await app.register(routes, { ctx });
  }
  await app.register(mailRoutes, { ctx, fetcher: services.mailFetcher });
  app.get('/api/mind/docs/open-api', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  // Requests that write may have recorded events: dispatch them now rather than at the next poll.
  app.addHook('onResponse', async (request) => { if (request.method !== 'GET' && request.method !== 'HEAD') hookDispatcher.nudge(); });
  app.addHook('onReady', async () => services.start());
  app.addHook('onClose', async () => {
    await services.stop();
    await closeContext(ctx);
  });
  return { app, ctx, services };
}
