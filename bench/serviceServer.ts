import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/app.js';
import { jobCounts } from '../src/jobs/queue.js';
import { JobRunner } from '../src/jobs/runner.js';
import { buildTasks } from '../src/jobs/tasks.js';
import { addSetupRoutes } from './setupRoutes.js';

// The real service for the bench, plus setup routes (an API key, a ticket, queue counts) that
// only this bench process registers.
const config = loadConfig({ ...process.env, DATA_DIR: process.argv[2]!, LOG_LEVEL: 'warn', ADMIN_PASSWORD: 'bench-password-1', WORKER_ENABLED: 'false' });
const { app, ctx } = await buildApp(config);
addSetupRoutes(app, ctx);
app.get('/bench/jobs', { config: { public: true } }, async () => jobCounts(ctx.db));
// The drain is timed from this call, so the job runner starts here rather than at boot.
const runner = new JobRunner(ctx.db, buildTasks(ctx), { concurrency: config.WORKER_CONCURRENCY, leaseMs: 300_000, logger: app.log });
ctx.notifyJobs = () => runner.notify();
app.get('/bench/start-worker', { config: { public: true } }, async () => {
  runner.start();
  return { started: true };
});
app.addHook('onClose', () => runner.stop());
await app.ready();
await ctx.intents.settled();
await app.listen({ port: 0, host: '127.0.0.1' });
process.send?.({ port: (app.server.address() as { port: number }).port });
// bench/profile.ts asks for a clean exit, so that --cpu-prof writes its profile.
process.on('message', (m) => {
  if (m === 'exit') void app.close().then(() => process.exit(0));
});
