import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../helpers/app.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

it('npm start path: first start generates and logs the admin password once; SIGTERM shuts down cleanly', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-life-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const start = () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, ADMIN_PASSWORD: '', ADMIN_EMAIL: 'boss@example.de', LOG_LEVEL: 'info', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    return { child, log: () => out };
  };
  try {
    const first = start();
    await waitFor(async () => first.log().includes('ticketmind is ready'), 60_000, 'first start');
    const line = first.log().split('\n').find((l) => l.includes('generated password'));
    assert.ok(line, 'the generated password is logged');
    const { password, email } = JSON.parse(line) as { password: string; email: string };
    assert.equal(email, 'boss@example.de');
    const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    assert.equal(login.status, 200);
    assert.ok(first.log().includes('"requestId"') || first.log().includes('"reqId"'), 'request logs carry the request id');
    first.child.kill('SIGTERM');
    const code = await new Promise((r) => first.child.once('exit', r));
    assert.equal(code, 0);
    assert.match(first.log(), /shutting down/);

    const second = start();
    await waitFor(async () => second.log().includes('ticketmind is ready'), 60_000, 'second start');
    assert.ok(!second.log().includes('generated password'), 'logged once: not again on a later start');
    second.child.kill('SIGTERM');
    assert.equal(await new Promise((r) => second.child.once('exit', r)), 0);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
