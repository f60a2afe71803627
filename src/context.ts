import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';
import type { Db } from './db/dialect.js';

/** What use cases need from the running service; built once in app.ts. */
export interface AppContext {
  config: Config;
  db: Db;
  log: FastifyBaseLogger;
  secrets: { session: string; apiKey: string };
  /** Wakes the in-process worker after a commit that enqueued a job. */
  notifyJobs(): void;
  /** Runs the AI pipeline for a stored conversation (realtime mode); set by the AI module. */
  processRealtime?: (conversationId: number, budgetMs: number) => Promise<{ pending: string[] }>;
}
