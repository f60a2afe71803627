import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';
import type { Db } from './db/dialect.js';
import type { IntentEngine } from './ai/intentEngine.js';
import type { LlmProvider } from './ai/llm.js';
import type { BlobStore } from './attachments/blobStore.js';
import type { OutboundAllow } from './net/outbound.js';

/** What use cases need from the running service; built once in app.ts. */
export interface AppContext {
  config: Config;
  db: Db;
  log: FastifyBaseLogger;
  secrets: { session: string; apiKey: string };
  /** Wakes the in-process worker after a commit that enqueued a job. */
  notifyJobs(): void;
  /** Attachment bytes (local files, content-addressed). */
  blobs: BlobStore;
  /** OUTBOUND_ALLOW_HOSTS, parsed once: private hosts that outbound requests may reach. */
  outboundAllow: OutboundAllow;
  /** The optional OpenAI-compatible provider (null: offline only). */
  llm: LlmProvider | null;
  /** The serving intent model of the AI-agent catalogue. */
  intents: IntentEngine;
  /** Runs the AI pipeline for a stored conversation before the response (process=realtime). */
  processRealtime?: (conversationId: number, budgetMs: number) => Promise<{ pending: string[] }>;
}
