import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './helpers/freePort.js';

// `npm start` runs the compiled service: the build (prestart) must produce a dist/ that starts
// and answers without tsx, worker-thread entries included.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');


it('the prestart build produces dist/ and dist/web, and node dist/main.js starts, answers /healthz and serves the inbox', async () => {
  const build = spawnSync(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: root, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
  assert.ok(fs.existsSync(path.join(root, 'dist/main.js')));
  // The web app is built with it (Vite, web/ → dist/web).
  assert.ok(fs.existsSync(path.join(root, 'dist/web/index.html')));
  // Up to date now: a second run builds nothing.
  const again = spawnSync(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: root, encoding: 'utf8' });
  assert.equal(again.status, 0, again.stderr);
  assert.doesNotMatch(again.stderr, /building dist/);

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-build-'));
  const port = await freePort();
  // No --import tsx: plain node, as `npm start` runs it.
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_ENV: 'production', ADMIN_EMAIL: 'admin@ticketmind.local', ADMIN_PASSWORD: 'build-test-password-1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    let answer: { status: number; body: unknown } | null = null;
    while (!answer && child.exitCode === null) {
      answer = await fetch(`http://127.0.0.1:${port}/healthz`).then(async (r) => ({ status: r.status, body: await r.json() }), () => null);
      if (!answer) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(answer, `dist/main.js exited before answering: ${stderr}`);
    assert.deepEqual(answer, { status: 200, body: { status: 'ok' } });
    // The built service serves the built inbox: the page with its CSP, and the bundle it names.
    const page = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(await page.text())?.[1];
    assert.ok(script, 'the page names its bundle');
    const bundle = await fetch(`http://127.0.0.1:${port}${script}`);
    assert.equal(bundle.status, 200);
    assert.match(bundle.headers.get('content-type') ?? '', /javascript/);
    assert.ok((await bundle.text()).length > 1000); // read to the end: an open response would hold the shutdown
    // Shutdown waits for a running intent training (closeContext), and a first start trains: on a
    // loaded machine that outlasted close-with-grace's 25 s. Stop once the model serves.
    const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@ticketmind.local', password: 'build-test-password-1' }) });
    assert.equal(login.status, 200, await login.text());
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    for (;;) {
      const model = await fetch(`http://127.0.0.1:${port}/api/mind/intent/model`, { headers: { cookie } }).then((r) => r.json() as Promise<{ status: string }>);
      if (model.status === 'ready') break;
      assert.equal(child.exitCode, null, stderr);
      await new Promise((r) => setTimeout(r, 200));
    }
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
  } finally {
    child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
