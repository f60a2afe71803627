import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN, TEST_INTENT_ENV } from './app.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Runs the real service (`src/main.ts`, job runner on) on a test's data until it ends, for the
 * crash tests: `env` names the test-only hook that makes it kill itself at the moment under test.
 * The timer is a guard against a hang, not a measurement: the child dies by its own hand long before.
 */
export function runServiceUntilItDies(dataDir: string, databaseUrl: string, env: Record<string, string>): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'error', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: databaseUrl,
      ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0', WORKER_ENABLED: 'true',
      ...TEST_INTENT_ENV, ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const guard = setTimeout(() => child.kill('SIGTERM'), 120_000);
  return new Promise((resolve) => child.once('exit', (code, signal) => {
    clearTimeout(guard);
    resolve({ code, signal, stderr });
  }));
}
