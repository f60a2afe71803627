import closeWithGrace from 'close-with-grace';
import { loadConfig } from './config.js';
import { buildApp } from './app.js';

// `npm run worker`: a process that runs jobs only (AI processing, hook deliveries), beside API
// processes started with WORKER_ENABLED=false. They share a PostgreSQL database and its job
// queue. On SQLite the worker belongs inside `npm start`: a second process writing the same file
// would queue behind its write lock.
const config = loadConfig({ ...process.env, WORKER_ENABLED: 'true' });
if (config.dbKind !== 'postgres') {
  process.stderr.write('npm run worker needs DATABASE_URL=postgres://… (shared with the API processes); on SQLite, npm start runs the worker itself.\n');
  process.exit(1);
}
const { app } = await buildApp(config);

// SIGTERM/SIGINT: let running jobs finish (their lease covers a hard kill), close the database.
closeWithGrace({ delay: 25_000 }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'fatal error, shutting down');
  else app.log.info({ signal }, 'shutting down');
  await app.close();
});

// ready() starts the job worker and the hook dispatcher; this process serves no HTTP.
await app.ready();
app.log.info({ database: config.dbKind, concurrency: config.WORKER_CONCURRENCY }, 'ticketmind worker is running');
