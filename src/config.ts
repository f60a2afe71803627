import { envSchema } from 'env-schema';
import { Type, type Static } from '@sinclair/typebox';
import path from 'node:path';

// Every variable the service reads. `.env.example` mirrors this list and a test checks both agree.
const ConfigSchema = Type.Object({
  NODE_ENV: Type.String({ default: 'production' }),
  HOST: Type.String({ default: '127.0.0.1' }),
  PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535 }),
  DATA_DIR: Type.String({ default: './data' }),
  DATABASE_URL: Type.String({ default: '', description: 'postgres://… switches from SQLite to PostgreSQL' }),
  LOG_LEVEL: Type.String({ default: 'info' }),
  HTTP_MAX_CONNECTIONS: Type.Integer({ default: 1024, minimum: 1, description: 'open client connections; past it new ones are closed at once' }),
  HTTP_HEADERS_TIMEOUT_MS: Type.Integer({ default: 20_000, minimum: 100, description: 'a client must send its request headers within this (408), at most HTTP_REQUEST_TIMEOUT_MS' }),
  HTTP_REQUEST_TIMEOUT_MS: Type.Integer({ default: 120_000, minimum: 100, description: 'a client must send its whole request within this (408)' }),
  HTTP_IDLE_TIMEOUT_MS: Type.Integer({ default: 120_000, minimum: 100, description: 'a connection with no traffic for this long is closed' }),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: Type.Integer({ default: 72_000, minimum: 100, description: 'an idle keep-alive connection is closed after this' }),
  BODY_LIMIT_BYTES: Type.Integer({ default: 25 * 1024 * 1024, minimum: 1024 }),
  ADMIN_EMAIL: Type.String({ default: 'admin@ticketmind.local' }),
  ADMIN_PASSWORD: Type.String({ default: '' }),
  SESSION_SECRET: Type.String({ default: '', description: 'at least 32 characters; generated and kept in the database when empty' }),
  SECRET_KEY: Type.String({ default: '', description: 'at least 32 characters; encrypts mailbox passwords at rest (AES-256-GCM). Empty = a key file DATA_DIR/secret.key (mode 0600) made on first start; processes sharing one PostgreSQL must share the key' }),
  SESSION_TTL_SECONDS: Type.Integer({ default: 7 * 24 * 3600, minimum: 60 }),
  COOKIE_SECURE: Type.Boolean({ default: false }),
  METRICS_TOKEN: Type.String({ default: '', description: 'when set, GET /metrics needs Authorization: Bearer <METRICS_TOKEN>; empty = /metrics is public' }),
  LOGIN_MAX_PER_ACCOUNT: Type.Integer({ default: 10, minimum: 1, description: 'login attempts per email per LOGIN_WINDOW_SECONDS; past it 429 with Retry-After' }),
  LOGIN_MAX_PER_IP: Type.Integer({ default: 100, minimum: 1, description: 'login attempts per client IP per LOGIN_WINDOW_SECONDS' }),
  LOGIN_WINDOW_SECONDS: Type.Integer({ default: 900, minimum: 1 }),
  PASSWORD_WORK_CONCURRENCY: Type.Integer({ default: 2, minimum: 1, maximum: 64, description: 'argon2 hashes/verifications running at once' }),
  PASSWORD_WORK_MAX_WAITING: Type.Integer({ default: 64, minimum: 0, description: 'password checks queued behind them; past it 503 with Retry-After' }),
  API_KEY_TTL_DAYS: Type.Integer({ default: 365, minimum: 1 }),
  WORKER_ENABLED: Type.Boolean({ default: true }),
  WORKER_CONCURRENCY: Type.Integer({ default: 2, minimum: 1, maximum: 64 }),
  JOB_MAX_ATTEMPTS: Type.Integer({ default: 5, minimum: 1 }),
  JOB_LEASE_SECONDS: Type.Integer({ default: 30, minimum: 5 }),
  REALTIME_BUDGET_MS: Type.Integer({ default: 10_000, minimum: 100 }),
  /** Load shedding: 503 + Retry-After while the event loop lags more than this; 0 turns it off. */
  OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: Type.Integer({ default: 2000, minimum: 0 }),
  BODY_THREADS: Type.Integer({ default: -1, minimum: -1, maximum: 32, description: 'worker threads deriving bodyPlain/bodyClean from HTML; -1 = one per spare CPU core (at most 4); 0 = on the event loop, except bodies of 32 KB or more' }),
  IDEMPOTENCY_TTL_SECONDS: Type.Integer({ default: 24 * 3600, minimum: 60 }),
  AI_BASE_URL: Type.String({ default: '', description: 'OpenAI-compatible endpoint (e.g. https://api.openai.com/v1); empty = offline provider only' }),
  AI_API_KEY: Type.String({ default: '' }),
  AI_MODEL: Type.String({ default: 'gpt-4o-mini' }),
  AI_TIMEOUT_MS: Type.Integer({ default: 20_000, minimum: 100 }),
  INTENT_TARGET_PRECISION: Type.Number({ default: 0.95, minimum: 0.5, maximum: 0.999, description: 'the precision assigned intents should reach: the threshold is the lowest confidence at which held-out examples of the catalogue are right this often (never below 0.5)' }),
  INTENT_SENTENCE_ENCODER: Type.Union([Type.Literal('auto'), Type.Literal('off')], { default: 'auto', description: 'English sentence encoder (USE-Lite, optional @energetic-ai packages) fused with the TF-IDF intent model: auto = when installed (+195 MB per process, ~20 ms per message in its own thread), off = TF-IDF alone' }),
  INTENT_MODEL_CACHE_DIR: Type.String({ default: '', description: 'trained intent models, keyed by catalogue and code; empty = DATA_DIR/models' }),
  AI_MAX_TEXT_CHARS: Type.Integer({ default: 20_000, minimum: 100, description: 'characters of a message (subject and body) that language detection, intents, extraction and the LLM read' }),
  MESSAGE_BODY_MAX_CHARS: Type.Integer({ default: 1_000_000, minimum: 1000, description: 'body, bodyPlain and bodyClean of one message, each; longer ones get 413' }),
  ATTACHMENT_MAX_BYTES: Type.Integer({ default: 25 * 1024 * 1024, minimum: 1024, description: 'one attachment, decoded' }),
  ATTACHMENTS_MAX_TOTAL_BYTES: Type.Integer({ default: 100 * 1024 * 1024, minimum: 1024, description: 'all attachments of one request' }),
  ATTACHMENT_FETCH_TIMEOUT_MS: Type.Integer({ default: 30_000, minimum: 100, description: 'fetching one attachment URL, redirects included' }),
  ATTACHMENT_FETCH_CONCURRENCY: Type.Integer({ default: 4, minimum: 1, maximum: 32, description: 'attachment URLs of one request fetched at once' }),
  ATTACHMENT_FETCH_DEADLINE_MS: Type.Integer({ default: 60_000, minimum: 100, description: 'all attachment URLs of one request together; one still running then is aborted (422)' }),
  BLOB_STORE: Type.Union([Type.Literal('fs'), Type.Literal('s3')], { default: 'fs', description: 'where attachment bytes live: fs = DATA_DIR/blobs, s3 = the S3_* bucket (shared by several processes)' }),
  S3_BUCKET: Type.String({ default: '', description: 'BLOB_STORE=s3: the bucket (it must exist)' }),
  S3_PREFIX: Type.String({ default: 'blobs/', description: 'key prefix inside the bucket' }),
  S3_REGION: Type.String({ default: 'us-east-1' }),
  S3_ENDPOINT: Type.String({ default: '', description: 'an S3-compatible endpoint (MinIO, Ceph …); empty = AWS' }),
  S3_FORCE_PATH_STYLE: Type.Boolean({ default: false, description: 'bucket in the path instead of the host name (MinIO and most S3-compatible servers need true)' }),
  S3_ACCESS_KEY_ID: Type.String({ default: '', description: 'empty = the AWS SDK default credential chain (env, profile, instance role)' }),
  S3_SECRET_ACCESS_KEY: Type.String({ default: '' }),
  CUSTOMER_SYSTEM_URL: Type.String({ default: '', description: 'base URL of the customer system (CRM / billing) that AI-agent actions call; playbook action paths such as /meter-readings are resolved against it. Empty = actions with a path cannot run (the intent\'s infos say so)' }),
  CUSTOMER_SYSTEM_SECRET: Type.String({ default: '', description: 'HMAC secret signing calls to the customer system like event hooks (X-Ticketmind-Timestamp, X-Ticketmind-Signature); empty = actions do not run' }),
  AUTOMATION_TEST_KILL_AFTER_REPLY: Type.Boolean({ default: false, description: 'test only (honoured with NODE_ENV=test): the process kills itself with SIGKILL right after an automated execution created its reply, before recording it' }),
  AUTOMATION_DELAY_SECONDS: Type.Integer({ default: 0, minimum: 0, maximum: 7 * 86_400, description: 'a gated execution runs this long after the gate (0 = at once)' }),
  AUTOMATION_BUSINESS_HOURS: Type.String({ default: '', description: 'executions run only inside "<first>-<last ISO weekday> HH:MM-HH:MM", e.g. "1-5 08:00-18:00"; empty = any time' }),
  AUTOMATION_TIMEZONE: Type.String({ default: 'Europe/Berlin', description: 'the time zone of AUTOMATION_BUSINESS_HOURS' }),
  AUTOMATION_LEASE_SECONDS: Type.Integer({ default: 300, minimum: 5, description: 'how long one executor holds an intent it is executing; a crashed manual run frees it after this' }),
  OUTBOUND_ALLOW_HOSTS: Type.String({ default: '', description: 'comma-separated host names, IPs and CIDRs that outbound requests (hooks, attachment URLs) may reach although private' }),
  HOOK_TIMEOUT_MS: Type.Integer({ default: 10_000, minimum: 100, description: 'one hook delivery attempt, connect to last byte' }),
  HOOK_MAX_ATTEMPTS: Type.Integer({ default: 12, minimum: 1 }),
  HOOK_RETRY_BASE_MS: Type.Integer({ default: 10_000, minimum: 1, description: 'first retry delay; doubles per attempt, with jitter' }),
  HOOK_RETRY_MAX_MS: Type.Integer({ default: 3_600_000, minimum: 1, description: 'cap for the backoff and for a receiver\'s Retry-After' }),
  HOOK_DISABLE_AFTER_FAILURES: Type.Integer({ default: 20, minimum: 0, description: 'consecutive failed deliveries that disable a hook; 0 = never' }),
  JOB_RETENTION_DAYS: Type.Integer({ default: 14, minimum: 1, description: 'finished and failed jobs are deleted after this' }),
  HOOK_DELIVERY_RETENTION_DAYS: Type.Integer({ default: 30, minimum: 1, description: 'settled hook deliveries and their attempts are deleted after this' }),
  TICKET_RETENTION_DAYS: Type.Integer({ default: 0, minimum: 0, description: 'closed tickets are erased (GDPR) this many days after they were closed; 0 = never' }),
  TECHNICAL_DATA_RETENTION_DAYS: Type.Integer({ default: 30, minimum: 1, description: 'technical event data (store receipts, extraction and cortex events, the AI runs\' input copies and timings) is pruned after this' }),
  SEARCH_TOTAL_MAX: Type.Integer({ default: 1_000, minimum: 1, description: 'ticket and event search count their matches up to this; past it total is this number and totalIsCapped is true (an exact count reads every matching row)' }),
  HOOK_MAX_IN_FLIGHT: Type.Integer({ default: 1, minimum: 1, description: 'deliveries to one hook running at once: on PostgreSQL across all processes, as that many graphile-worker queues per hook; on SQLite to a slow or failing hook' }),
  SMTP_CONNECTION_TIMEOUT_MS: Type.Integer({ default: 30_000, minimum: 100, description: 'sending a reply: the TCP (and TLS) connection to the SMTP server' }),
  SMTP_GREETING_TIMEOUT_MS: Type.Integer({ default: 30_000, minimum: 100, description: 'sending a reply: the server\'s greeting after connecting' }),
  SMTP_SOCKET_TIMEOUT_MS: Type.Integer({ default: 60_000, minimum: 100, description: 'sending a reply: silence on an open SMTP connection' }),
  SMTP_MAX_ATTEMPTS: Type.Integer({ default: 8, minimum: 1, description: 'attempts of one reply on 4xx answers and network errors before it is failed; a 5xx fails at once' }),
  SMTP_RETRY_BASE_MS: Type.Integer({ default: 60_000, minimum: 0, description: 'first retry delay of a reply; doubles per attempt with jitter, capped at one hour' }),
  SMTP_MAX_PER_MINUTE: Type.Integer({ default: 60, minimum: 0, description: 'replies one mailbox sends per minute; past it a reply waits for the next free minute (0 = no limit)' }),
  REPLY_TEST_KILL_AFTER_SMTP: Type.Boolean({ default: false, description: 'test only (honoured with NODE_ENV=test): the process kills itself with SIGKILL right after the SMTP server accepted a reply, before recording it' }),
  MAIL_FETCH_ENABLED: Type.Boolean({ default: true, description: 'fetch the mailboxes of email subchannels in the background (where the job runner runs); false = only POST /api/mind/webhook/fetchEmails fetches' }),
  MAIL_POLL_SECONDS: Type.Integer({ default: 60, minimum: 1, description: 'how often a mailbox is checked when its server has no IDLE (with IDLE: a safety check this often)' }),
  MAIL_MAX_BYTES: Type.Integer({ default: 25 * 1024 * 1024, minimum: 1024, description: 'a fetched mail larger than this is not downloaded; it is set aside (quarantine, kind too_large)' }),
  MAIL_FETCH_BATCH: Type.Integer({ default: 50, minimum: 1, maximum: 1000, description: 'mails one fetch pass of one mailbox takes at most' }),
  MAIL_FETCH_MAX_PER_MINUTE: Type.Integer({ default: 300, minimum: 1, description: 'mails of one mailbox stored per minute at most; the rest waits for the next minute' }),
  MAIL_LEASE_SECONDS: Type.Integer({ default: 60, minimum: 5, description: 'a mailbox is fetched by one process at a time: its lease, renewed while it fetches, lets another process take over after a crash' }),
  MAIL_CONNECT_TIMEOUT_MS: Type.Integer({ default: 15_000, minimum: 100, description: 'connecting to a mail server (TCP, TLS, greeting, login), for fetching and the connection test' }),
});

export type Config = Static<typeof ConfigSchema> & { dbKind: 'sqlite' | 'postgres'; sqliteFile: string };

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const raw = envSchema<Static<typeof ConfigSchema>>({ schema: ConfigSchema, data: env, dotenv: false });
  const dataDir = path.resolve(raw.DATA_DIR);
  const dbKind = raw.DATABASE_URL.startsWith('postgres') ? 'postgres' : 'sqlite';
  if (raw.DATABASE_URL && dbKind !== 'postgres') {
    throw new Error(`DATABASE_URL must start with postgres:// (got ${raw.DATABASE_URL.split(':')[0]}:…); leave it empty for SQLite`);
  }
  if (raw.SESSION_SECRET && raw.SESSION_SECRET.length < 32) throw new Error('SESSION_SECRET must be at least 32 characters');
  if (raw.BLOB_STORE === 's3' && !raw.S3_BUCKET) throw new Error('BLOB_STORE=s3 needs S3_BUCKET');
  if (raw.SECRET_KEY && raw.SECRET_KEY.length < 32) throw new Error('SECRET_KEY must be at least 32 characters');
  return { ...raw, DATA_DIR: dataDir, dbKind, sqliteFile: path.join(dataDir, 'ticketmind.sqlite') };
}

export const configKeys = Object.keys(ConfigSchema.properties);

/** Each variable's documented meaning (the schema's description), for GET /api/mind/settings. */
export const configDescriptions: Record<string, string | undefined> = Object.fromEntries(
  Object.entries(ConfigSchema.properties).map(([key, schema]) => [key, (schema as { description?: string }).description]),
);
