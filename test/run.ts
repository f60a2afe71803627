// npm test: the suite's files in a few long-lived processes (TEST_PROCESSES, default 3), not one
// process per file as `node --test` runs them.
//
// Why: a test process spends 3–4 s of CPU before its first test (tsx's loader hooks resolving and
// loading ~1,100 modules of the app, then the first app's schema compilation); over 89 files that
// was about 38% of the suite's slot time in CI (2026-12-03: 859 s of tests in 1,377 slot-seconds).
// Here each process imports its files once, node:test runs them one file after another, and the
// modules they share are loaded once.
//
// Isolation that remains: files share a process, not state. Every test builds its own app, data
// dir and database; a file's top-level before/after become its process's (they start and stop a
// stub server, which then lives a little longer). No file may set process-wide state (env,
// globals) for itself — the same rule as for tests inside one file.
//
// `npx tsx test/run.ts [files…]` runs some files this way; `npx tsx --test file` runs one file alone.
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { globSync } from 'glob';

const CHILD_FILES = 'TM_TEST_FILES';

// Seconds of test time per file (CI=true with PostgreSQL, shared processes, warm model cache, 2026-12-04; the
// build test as in a fresh clone, where it builds dist/), for balancing the processes; a file not listed counts as
// DEFAULT_SECONDS. Stale figures only make the split less even, never wrong.
const SECONDS: Record<string, number> = {
  'test/mail/crash.test.ts': 40, 'test/web/inbox.test.ts': 30, 'test/automation/crash.test.ts': 25,
  'test/build.test.ts': 30, 'test/ai/crashRecovery.test.ts': 20, 'test/http/everyRouteHostile.test.ts': 19,
  'test/http/lifecycle.test.ts': 16, 'test/hooks/concurrency.test.ts': 16, 'test/ai/training.test.ts': 14,
  'test/mail/connectionTest.test.ts': 14, 'test/replies/replies.test.ts': 12, 'test/replies/crash.test.ts': 11,
  'test/mail/fetch.test.ts': 11, 'test/hooks/delivery.test.ts': 8, 'test/http/accounts.test.ts': 8,
  'test/jobs/workerProcess.test.ts': 8, 'test/ai/sentenceEncoder.test.ts': 7, 'test/ai/modelCache.test.ts': 7,
  'test/http/routeAccess.test.ts': 7, 'test/automation/playbook.test.ts': 7, 'test/ai/meterPhotos.test.ts': 7,
  'test/scale/seed.test.ts': 6, 'test/http/fuzz.test.ts': 5, 'test/attachments/largeBase64.test.ts': 5,
  'test/scale/manyProcesses.test.ts': 5, 'test/hooks/restart.test.ts': 5, 'test/http/badInput.test.ts': 4,
  'test/http/largeBodies.test.ts': 4, 'test/ai/pipeline.test.ts': 4,
  'test/attachments/fetchDeadline.test.ts': 4, 'test/http/auth.test.ts': 3, 'test/mail/poll.test.ts': 3,
  'test/mail/roundTrip.test.ts': 3, 'test/search/fullText.test.ts': 3,
};
const DEFAULT_SECONDS = 2;

async function runParent(args: string[]): Promise<void> {
  const files = args.length > 0 ? args : globSync('test/**/*.test.ts').sort();
  const count = Math.max(1, Math.min(Number(process.env.TEST_PROCESSES ?? 3), files.length));
  // Longest first onto the least loaded process (LPT): the processes end close together.
  const groups = Array.from({ length: count }, () => ({ files: [] as string[], seconds: 0 }));
  for (const file of [...files].sort((a, b) => (SECONDS[b] ?? DEFAULT_SECONDS) - (SECONDS[a] ?? DEFAULT_SECONDS))) {
    const g = groups.reduce((min, x) => (x.seconds < min.seconds ? x : min));
    g.files.push(file);
    g.seconds += SECONDS[file] ?? DEFAULT_SECONDS;
  }
  const started = Date.now();
  process.stderr.write(`test: ${files.length} files in ${count} processes (node ${process.version}, ${os.cpus().length} cores)\n`);
  const results = await Promise.all(groups.map((g, i) => runChild(i + 1, g.files)));
  const sum = (k: 'tests' | 'pass' | 'fail' | 'skipped') => results.reduce((n, r) => n + r.counts[k], 0);
  const failed = results.filter((r) => r.code !== 0);
  process.stdout.write(`# all processes: tests ${sum('tests')}, pass ${sum('pass')}, fail ${sum('fail')}, skipped ${sum('skipped')}, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  for (const r of failed) process.stdout.write(`# process ${r.index} ended with ${r.code} (its files: ${r.files.join(', ')})\n`);
  process.exitCode = failed.length > 0 ? 1 : 0;
}

interface ChildResult {
  index: number;
  files: string[];
  code: number | null;
  counts: { tests: number; pass: number; fail: number; skipped: number };
}

/** One process running `files`; its TAP is printed whole when it ends, so outputs do not interleave. */
function runChild(index: number, files: string[]): Promise<ChildResult> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', '--test-reporter=tap', 'test/run.ts'], {
    env: { ...process.env, [CHILD_FILES]: JSON.stringify(files) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const out: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  return new Promise((resolve) => {
    child.on('close', (code) => {
      const tap = Buffer.concat(out).toString('utf8');
      process.stdout.write(`# process ${index}: ${files.length} files\n${tap}`);
      const count = (k: string) => Number(new RegExp(`^# ${k} (\\d+)$`, 'm').exec(tap)?.[1] ?? 0);
      const counts = { tests: count('tests'), pass: count('pass'), fail: count('fail'), skipped: count('skipped') };
      process.stderr.write(`test: process ${index} done in ${((Date.now() - started) / 1000).toFixed(0)} s: ${counts.pass} passed, ${counts.fail} failed, ${counts.skipped} skipped (exit ${code})\n`);
      // A process that died before reporting (no "# tests" line) counts as failed whatever its code.
      resolve({ index, files, code: counts.tests === 0 && files.length > 0 ? (code || 1) : code, counts });
    });
  });
}

if (process.env[CHILD_FILES]) {
  // A child: import the files; node:test runs what they register, in this order.
  for (const file of JSON.parse(process.env[CHILD_FILES]) as string[]) await import(pathToFileURL(path.resolve(file)).href);
} else {
  await runParent(process.argv.slice(2));
}
