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
  BODY_LIMIT_BYTES: Type.Integer({ default: 25 * 1024 * 1024, minimum: 1024 }),
  ADMIN_EMAIL: Type.String({ default: 'admin@ticketmind.local' }),
  ADMIN_PASSWORD: Type.String({ default: '' }),
  SESSION_SECRET: Type.String({ default: '', description: 'at least 32 characters; generated and kept in the database when empty' }),
  SESSION_TTL_SECONDS: Type.Integer({ default: 7 * 24 * 3600, minimum: 60 }),
  COOKIE_SECURE: Type.Boolean({ default: false }),
  API_KEY_TTL_DAYS: Type.Integer({ default: 365, minimum: 1 }),
  WORKER_ENABLED: Type.Boolean({ default: true }),
  WORKER_CONCURRENCY: Type.Integer({ default: 2, minimum: 1, maximum: 64 }),
  JOB_MAX_ATTEMPTS: Type.Integer({ default: 5, minimum: 1 }),
  JOB_LEASE_SECONDS: Type.Integer({ default: 300, minimum: 5 }),
  REALTIME_BUDGET_MS: Type.Integer({ default: 10_000, minimum: 100 }),
  IDEMPOTENCY_TTL_SECONDS: Type.Integer({ default: 24 * 3600, minimum: 60 }),
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
  return { ...raw, DATA_DIR: dataDir, dbKind, sqliteFile: path.join(dataDir, 'ticketmind.sqlite') };
}

export const configKeys = Object.keys(ConfigSchema.properties);
