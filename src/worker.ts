import closeWithGrace from 'close-with-grace';
import { pino } from 'pino';
import { loadConfig } from './config.js';
import { buildContext, closeContext } from './context.js';
import { buildServices, type BackgroundServices } from './services.js';
import { loggerOptions } from './logger.js';

// `npm run worker`: the worker process. It runs jobs only (AI processing, hook deliveries, mail)
// with graphile-worker's runner and our task list (src/jobs/tasks.ts, src/jobs/graphileRunner.ts),
// beside API processes started with WORKER_ENABLED=false; no HTTP, so no Fastify. They share a
// PostgreSQL database and its graphile-worker queue. On SQLite the job runner belongs inside `npm start`: a
// second process writing the same file would queue behind its write lock.
const config = loadConfig({ ...process.env, WORKER_ENABLED: 'true' });
if (config.dbKind !== 'postgres') {
  process.stderr.write('npm run worker needs DATABASE_URL=postgres://… (shared with the API processes); on SQLite, npm start runs the jobs itself.\n');
  process.exit(1);
}
const log = pino(loggerOptions(config));
let services: BackgroundServices | null = null;
const ctx = await buildContext(config, log, () => services?.jobRunner?.notify());
services = buildServices(ctx);

// SIGTERM/SIGINT: let running jobs finish (graphile-worker's graceful shutdown; the heartbeat
// lease covers a hard kill), close the database.
closeWithGrace({ delay: 25_000 }, async ({ signal, err }) => {
  if (err) log.error({ err }, 'fatal error, shutting down');
  else log.info({ signal }, 'shutting down');
  await services.stop();
  await closeContext(ctx);
});

services.start();
log.info({ database: config.dbKind, concurrency: config.WORKER_CONCURRENCY }, 'ticketmind worker process is running');
