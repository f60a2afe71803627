// prestart/preworker/build: builds dist/ when it is missing or older than src/, and the web app
// (web/ → dist/web, Vite) when it is missing or older than web/, so `npm ci && npm start` works on
// a fresh clone and a checkout never runs yesterday's build. Plain JavaScript: it must run before
// anything is compiled.
//   --force     rebuild both
//   --web-only  only the web app (the browser tests build it without compiling the server)
import { spawnSync } from 'node:child_process';
import process from 'node:process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');
const webOnly = process.argv.includes('--web-only');
const require = createRequire(import.meta.url);

function newest(dir) {
  let max = fs.statSync(dir).mtimeMs;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    max = Math.max(max, entry.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return max;
}
const mtime = (f) => fs.statSync(path.join(root, f)).mtimeMs;
const stampTime = (f) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : 0);

function needsDevDependency(what) {
  process.stderr.write(`${what} is missing or stale, and the dev dependencies are not installed (npm ci --omit=dev): build on a machine with dev dependencies (npm run build) and ship dist/.\n`);
  throw new BuildFailed(1);
}

/** Ends the build with an exit status (after the lock is released). */
class BuildFailed extends Error {
  constructor(status) {
    super(`build failed (${status})`);
    this.status = status;
  }
}

function buildServer() {
  const stamp = path.join(root, 'dist', '.built');
  const sources = Math.max(newest(path.join(root, 'src')), ...['package.json', 'tsconfig.json', 'tsconfig.build.json'].map(mtime));
  if (!force && stampTime(stamp) >= sources) return;
  let tsc;
  try {
    tsc = require.resolve('typescript/bin/tsc');
  } catch {
    needsDevDependency('dist/');
  }
  process.stderr.write('building dist/ (src/ changed)…\n');
  // A clean build: files deleted from src/ must not linger in dist/. dist/web is the web app's
  // own output (a running test server may be serving it) and stays.
  for (const entry of fs.existsSync(path.join(root, 'dist')) ? fs.readdirSync(path.join(root, 'dist')) : []) {
    if (entry !== 'web') fs.rmSync(path.join(root, 'dist', entry), { recursive: true, force: true });
  }
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) throw new BuildFailed(r.status ?? 1);
  fs.writeFileSync(stamp, `${new Date().toISOString()}\n`);
}

async function buildWeb() {
  const out = path.join(root, 'dist', 'web');
  const stamp = path.join(out, '.built');
  const sources = Math.max(newest(path.join(root, 'web')), mtime('package.json'));
  if (!force && stampTime(stamp) >= sources && fs.existsSync(path.join(out, 'index.html'))) return;
  let vite;
  try {
    vite = await import('vite');
  } catch {
    needsDevDependency('dist/web/');
  }
  process.stderr.write('building dist/web/ (web/ changed)…\n');
  // Vite's own output (emptyOutDir) replaces dist/web whole; warnings only.
  await vite.build({ configFile: path.join(root, 'web', 'vite.config.ts'), logLevel: 'warn' });
  fs.writeFileSync(stamp, `${new Date().toISOString()}\n`);
}

// One build at a time: test files run in parallel and several may call this at once; the
// second waits, then finds everything fresh. A lock left by a killed build expires.
const lock = path.join(root, '.build-lock');
const LOCK_STALE_MS = 10 * 60 * 1000;
const pause = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
for (;;) {
  try {
    fs.closeSync(fs.openSync(lock, 'wx'));
    break;
  } catch (err) {
    if (err.code !== 'EEXIST') throw err;
    if (Date.now() - stampTime(lock) > LOCK_STALE_MS) fs.rmSync(lock, { force: true });
    else pause(200);
  }
}
try {
  if (!webOnly) buildServer();
  await buildWeb();
} catch (err) {
  if (!(err instanceof BuildFailed)) throw err;
  process.exitCode = err.status;
} finally {
  fs.rmSync(lock, { force: true });
}
