import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_INTENT_ENV, databases, noteSkippedPostgres, startApp, waitFor } from '../helpers/app.js';
import { jobStatus } from '../helpers/jobs.js';

// `npm run worker` beside API processes that run no worker (the scale-out layout).
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
noteSkippedPostgres();

function startWorker(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], { cwd: root, env: { ...process.env, LOG_LEVEL: 'silent', ...TEST_INTENT_ENV, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

if (databases().includes('postgres')) {
  it('a worker process runs the jobs of an API process started without one [postgres]', async () => {
    const api = await startApp('postgres', { WORKER_ENABLED: 'false' });
    const worker = startWorker({ DATABASE_URL: api.ctx.config.DATABASE_URL, DATA_DIR: api.dataDir });
    try {
      const ticket = (await api.call('POST', '/api/mind/ticket?process=batch', { channel: 'email', body: 'Mein Zählerstand ist 4711 kWh.' })).json();
      const key = `conversation:${(await api.call('GET', `/api/mind/ticket/${ticket.id}/conversation`)).json().conversations[0].id}`;
      await waitFor(async () => (await jobStatus(api, key)) === 'done', 60_000, 'the worker process to finish the job');
      const intents = (await api.call('GET', `/api/mind/intent/byTicketId/${ticket.id}`)).json();
      assert.ok(JSON.stringify(intents).includes('ai_agent_meter_reading'), JSON.stringify(intents));
      worker.child.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.stderr());
    } finally {
      worker.child.kill('SIGKILL');
      await api.close();
    }
  });
}

it('npm run worker on SQLite refuses to start and says why', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-worker-'));
  try {
    const worker = startWorker({ DATABASE_URL: '', DATA_DIR: dir });
    assert.equal(await worker.exited, 1);
    assert.match(worker.stderr(), /needs DATABASE_URL=postgres/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
