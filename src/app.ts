import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import underPressure from '@fastify/under-pressure';
import fastifyMetrics from 'fastify-metrics';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { openDatabase } from './db/dialect.js';
import { configureBodyThreads } from './conversations/deriveBodies.js';
import { migrateToLatest } from './db/migrate.js';
import { bootstrap } from './bootstrap.js';
import { registerErrorHandling } from './http/errorHandler.js';
import { registerValidation } from './http/validation.js';
import { registerJsonBodyParser } from './http/jsonBody.js';
import { authPlugin } from './http/auth.js';
import { idempotencyPlugin, sweepIdempotencyKeys } from './http/idempotency.js';
import { conversationRoutes } from './http/routes/conversations.js';
import { ticketRoutes } from './http/routes/tickets.js';
import { settingsRoutes } from './http/routes/settings.js';
import { profileRoutes } from './http/routes/profiles.js';
import { sessionRoutes } from './http/routes/session.js';
import { eventRoutes } from './http/routes/events.js';
import { aiAgentRoutes } from './http/routes/aiAgents.js';
import { eventHookRoutes } from './http/routes/eventHooks.js';
import { HookDispatcher } from './events/hooks/dispatcher.js';
import { pruneSettledDeliveries } from './events/hooks/hookStore.js';
import { pruneFinishedJobs } from './jobs/queue.js';
import { opsRoutes, packageVersion } from './http/routes/ops.js';
import path from 'node:path';
import { JobWorker } from './jobs/worker.js';
import { FsBlobStore } from './attachments/blobStore.js';
import { parseAllowList } from './net/outbound.js';
import { sweepOrphanBlobs } from './attachments/sweep.js';
import { attachmentRoutes } from './http/routes/attachments.js';
import { IntentEngine } from './ai/intentEngine.js';
import { processRealtime } from './ai/pipeline.js';
import { createLlmProvider } from './ai/llm.js';
import { buildTasks } from './jobs/tasks.js';
import { sweepExpiredSessions } from './auth/sessionStore.js';

export interface BuiltApp {
  app: FastifyInstance;
  ctx: AppContext;
  worker: JobWorker | null;
  hookDispatcher: HookDispatcher;
}

function loggerOptions(config: Config) {
  const pretty = process.stdout.isTTY && config.NODE_ENV !== 'test';
  return {
    level: config.LOG_LEVEL,
    redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  };
}

/** Builds the whole service: database (migrated, bootstrapped), HTTP routes and the job worker. */
export async function buildApp(config: Config): Promise<BuiltApp> {
  const app = Fastify({
    logger: loggerOptions(config),
    bodyLimit: config.BODY_LIMIT_BYTES,
    requestIdHeader: 'x-request-id',
    connectionTimeout: 120_000,
    requestTimeout: 120_000,
    keepAliveTimeout: 72_000,
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const db = openDatabase({
    kind: config.dbKind,
    sqliteFile: config.sqliteFile,
    databaseUrl: config.DATABASE_URL,
    onPoolError: (err) => app.log.warn({ err }, 'idle database connection lost'),
    onCheckpointerError: (err) => app.log.warn({ err }, 'background WAL checkpoints stopped; SQLite checkpoints inside commits again'),
    // A pause is normally 10–30 ms; a long one means the disk cannot keep up with the writes.
    onCheckpointCatchUp: (pausedMs) => app.log[pausedMs > 1000 ? 'warn' : 'debug']({ pausedMs: Math.round(pausedMs) }, 'WAL caught up: queries were held while it was copied into the database'),
  });
  configureBodyThreads(config.BODY_THREADS);
  await migrateToLatest(db);
  const { secrets } = await bootstrap(db, config, app.log);

  let worker: JobWorker | null = null;
  const intents = new IntentEngine(db, app.log.child({ component: 'intents' }));
  void intents.retrain();
  const ctx: AppContext = {
    config, db, log: app.log, secrets, intents,
    llm: createLlmProvider(config),
    blobs: new FsBlobStore(path.join(config.DATA_DIR, 'blobs')),
    outboundAllow: parseAllowList(config.OUTBOUND_ALLOW_HOSTS),
    notifyJobs: () => worker?.notify(),
  };
  ctx.processRealtime = (conversationId, budgetMs) => processRealtime(ctx, conversationId, budgetMs);
  if (config.WORKER_ENABLED) {
    worker = new JobWorker(db, buildTasks(ctx), { concurrency: config.WORKER_CONCURRENCY, leaseMs: config.JOB_LEASE_SECONDS * 1000, logger: app.log.child({ component: 'worker' }) });
  }

  registerValidation(app);
  registerErrorHandling(app, config.BODY_LIMIT_BYTES);
  registerJsonBodyParser(app, { maxDecodedBytes: config.ATTACHMENT_MAX_BYTES });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  // under-pressure samples the event loop from its registration on, so its first sample covers
  // the start itself (schemas compiled, SQLite migrations on the event loop): on a loaded machine
  // a restarted service refused its first requests with 503. Delay read before two sample
  // intervals past ready is the start's, not load.
  let readyAt = Infinity;
  app.addHook('onReady', async () => { readyAt = performance.now(); });
  await app.register(underPressure, {
    maxEventLoopDelay: 2000,
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

  await app.register(authPlugin, { ctx });
  await app.register(idempotencyPlugin, { ctx });
  for (const routes of [sessionRoutes, conversationRoutes, attachmentRoutes, ticketRoutes, settingsRoutes, profileRoutes, eventRoutes, eventHookRoutes, aiAgentRoutes, opsRoutes]) {
    await app.register(routes, { ctx });
  }
  app.get('/api/mind/docs/open-api', { schema: { hide: true } }, async () => app.swagger());

  const maintenance = setInterval(() => {
    Promise.all([
      sweepExpiredSessions(db.kysely),
      sweepIdempotencyKeys(ctx),
      sweepOrphanBlobs(ctx),
      pruneFinishedJobs(db, config.JOB_RETENTION_DAYS),
      pruneSettledDeliveries(db, config.HOOK_DELIVERY_RETENTION_DAYS),
    ]).catch((err) => app.log.warn({ err }, 'maintenance failed'));
  }, 10 * 60 * 1000);
  maintenance.unref();

  const hookDispatcher = new HookDispatcher(ctx);
  // Requests that write may have recorded events: dispatch them now rather than at the next poll.
  app.addHook('onResponse', async (request) => { if (request.method !== 'GET' && request.method !== 'HEAD') hookDispatcher.nudge(); });
  app.addHook('onReady', async () => worker?.start());
  app.addHook('onReady', async () => hookDispatcher.start());
  app.addHook('onClose', async () => {
    clearInterval(maintenance);
    await hookDispatcher.stop();
    await worker?.stop();
    await intents.settled();
    await db.close();
  });
  return { app, ctx, worker, hookDispatcher };
}
