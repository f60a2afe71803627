import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/app.js';
import { addSetupRoutes } from './setupRoutes.js';

// One API process of the service on PostgreSQL for the bench (argv: data dir, database URL).
// No worker and no queue counts: the store path's transaction enqueues its job in whatever the
// PostgreSQL queue is, and the bench measures only that path, so it does not depend on how jobs
// are stored. Shared secrets, so that every process accepts the others' API key.
const config = loadConfig({
  ...process.env, DATA_DIR: process.argv[2]!, DATABASE_URL: process.argv[3]!, LOG_LEVEL: 'warn', ADMIN_PASSWORD: 'bench-password-1',
  WORKER_ENABLED: 'false', SECRET_KEY: 'bench-secret-key-0123456789abcdef0123', SESSION_SECRET: 'bench-session-secret-0123456789abcdef',
});
const { app, ctx } = await buildApp(config);
addSetupRoutes(app, ctx);
await app.ready();
await ctx.intents.settled();
await app.listen({ port: 0, host: '127.0.0.1' });
process.send?.({ port: (app.server.address() as { port: number }).port });
// bench/profile.ts --db postgres asks for a clean exit, so that --cpu-prof writes its profile.
process.on('message', (m) => {
  if (m === 'exit') void app.close().then(() => process.exit(0));
});
