import closeWithGrace from 'close-with-grace';
import { loadConfig } from './config.js';
import { buildApp } from './app.js';

const config = loadConfig();
const { app } = await buildApp(config);

// SIGTERM/SIGINT: stop accepting, drain in-flight requests and jobs, close the database.
closeWithGrace({ delay: 25_000 }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'fatal error, shutting down');
  else app.log.info({ signal }, 'shutting down');
  await app.close();
});

await app.listen({ port: config.PORT, host: config.HOST });
app.log.info({ database: config.dbKind, dataDir: config.DATA_DIR }, 'ticketmind is ready');
