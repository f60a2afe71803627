import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';
import { openDatabase, type Db } from './db/dialect.js';
import { migrateToLatest } from './db/migrate.js';
import { bootstrap } from './bootstrap.js';
import { configureBodyThreads } from './conversations/deriveBodies.js';
import { IntentEngine } from './ai/intentEngine.js';
import { IntentModelCache } from './ai/intents/modelCache.js';
import { createLlmProvider, type LlmProvider } from './ai/llm.js';
import { processRealtime } from './ai/pipeline.js';
import { openBlobStore, type BlobStore } from './attachments/blobStore.js';
import { parseAllowList, type OutboundAllow } from './net/outbound.js';
import { SecretBox } from './secrets/secretBox.js';

/** What use cases need from the running service; built once by buildContext. */
export interface AppContext {
  config: Config;
  db: Db;
  log: FastifyBaseLogger;
  secrets: { session: string; apiKey: string };
  /** Encrypts what is kept secret in the database (mailbox passwords); key from SECRET_KEY or DATA_DIR/secret.key. */
  secretBox: SecretBox;
  /** Wakes this process's job runner (if it runs one) after a commit that enqueued a job. */
  notifyJobs(): void;
  /** Attachment bytes (local files or S3, content-addressed). */
  blobs: BlobStore;
  /** OUTBOUND_ALLOW_HOSTS, parsed once: private hosts that outbound requests may reach. */
  outboundAllow: OutboundAllow;
  /** The optional OpenAI-compatible provider (null: offline only). */
  llm: LlmProvider | null;
  /** The serving intent model of the AI-agent catalogue. */
  intents: IntentEngine;
  /** Runs the AI pipeline for a stored conversation before the response (process=realtime). */
  processRealtime(conversationId: number, budgetMs: number): Promise<{ pending: string[] }>;
}

/**
 * The context both processes share: the database (migrated, bootstrapped), the AI parts and the
 * blob store. `notifyJobs` is the process's own job runner, which is built from this context
 * afterwards (services.ts), hence a callback.
 */
export async function buildContext(config: Config, log: FastifyBaseLogger, notifyJobs: () => void): Promise<AppContext> {
  const db = openDatabase({
    kind: config.dbKind,
    sqliteFile: config.sqliteFile,
    databaseUrl: config.DATABASE_URL,
    onPoolError: (err) => log.warn({ err }, 'idle database connection lost'),
  });
  configureBodyThreads(config.BODY_THREADS);
  await migrateToLatest(db);
  const { secrets } = await bootstrap(db, config, log);

  const intents = new IntentEngine(db, log.child({ component: 'intents' }), new IntentModelCache(config.INTENT_MODEL_CACHE_DIR || path.join(config.DATA_DIR, 'models')), config.INTENT_TARGET_PRECISION, config.INTENT_SENTENCE_ENCODER);
  void intents.retrain();
  const ctx: AppContext = {
    config, db, log, secrets, intents, notifyJobs,
    secretBox: SecretBox.fromConfig(config),
    llm: createLlmProvider(config),
    blobs: await openBlobStore(config),
    outboundAllow: parseAllowList(config.OUTBOUND_ALLOW_HOSTS),
    processRealtime: (conversationId, budgetMs) => processRealtime(ctx, conversationId, budgetMs),
  };
  return ctx;
}

/** After the services have stopped: waits for a running intent training, closes the database. */
export async function closeContext(ctx: AppContext): Promise<void> {
  await ctx.intents.close();
  await ctx.db.close();
}
