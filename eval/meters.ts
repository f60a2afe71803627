/**
 * Evaluates readMeter on the labelled meter displays in /work/shared/data/meters (read in place).
 *
 *   npx tsx eval/meters.ts [--dir DIR] [--split all|dev|hold] [--verbose]
 *
 * Split: "dev" = odd-numbered files (used while developing), "hold" = even-numbered (held out).
 * Scoring (labels.json): the digit string read equals `value` or an `accept` entry, compared as
 * numbers (leading zeros do not matter).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CONFIRM_BELOW, isOcrAvailable, readMeterDetailed } from '../src/ai/ocr/readMeter.js';

interface Item {
  file: string;
  value: string;
  accept: string[];
  kind: string;
}

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? def) : def;
};
const dir = opt('dir', path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../shared/data/meters'));
const split = opt('split', 'all');
const verbose = args.includes('--verbose');

const norm = (s: string): string => s.replace(/^0+(?=\d)/, '');

const labels = JSON.parse(await readFile(path.join(dir, 'labels.json'), 'utf8')) as { items: Item[] };
const items = labels.items.filter((it) => {
  if (split === 'all') return true;
  const n = Number(/\d+/.exec(it.file)?.[0] ?? 0);
  return split === 'dev' ? n % 2 === 1 : n % 2 === 0;
});

const rssBefore = process.memoryUsage().rss;
const tLoad = performance.now();
if (!(await isOcrAvailable())) {
  console.error('OCR engine not installed');
  process.exit(1);
}
const loadMs = performance.now() - tLoad;
const rssLoaded = process.memoryUsage().rss;

const perKind = new Map<string, { n: number; ok: number }>();
let ok = 0;
/** a value given as read (status success) that is not the label: what dark processing must never get */
let wrong = 0;
/** readings held for a person (status needsConfirmation), and how many of those were right */
let held = 0;
let heldRight = 0;
const calibration: Array<{ confidence: number; good: boolean }> = [];
const cpu0 = process.cpuUsage();
let totalMs = 0;
let firstMs = 0;
for (const [i, it] of items.entries()) {
  const buf = await readFile(path.join(dir, it.file));
  const t0 = performance.now();
  const d = await readMeterDetailed(buf);
  const ms = performance.now() - t0;
  if (i === 0) firstMs = ms;
  totalMs += ms;
  const matches = (digits: string): boolean => [it.value, ...it.accept].some((v) => norm(v) === norm(digits));
  const got = d.result.status === 'success' ? d.result.reading.digits : '';
  const good = got !== '' && matches(got);
  if (good) ok++;
  if (got !== '' && !good) wrong++;
  const status = d.result.status as string;
  if ('reading' in d.result) calibration.push({ confidence: d.result.reading.confidence, good: matches(d.result.reading.digits) });
  if (status === 'needsConfirmation' && 'reading' in d.result) {
    held++;
    if (matches(d.result.reading.digits)) heldRight++;
  }
  const k = perKind.get(it.kind) ?? { n: 0, ok: 0 };
  k.n++;
  if (good) k.ok++;
  perKind.set(it.kind, k);
  const shown =
    'reading' in d.result
      ? `${d.result.reading.digits} (${d.result.reading.confidence.toFixed(2)})${status === 'needsConfirmation' ? ' needsConfirmation' : ''}`
      : `failed: ${d.result.reason}`;
  const mark = good ? 'OK  ' : got !== '' ? 'WRONG' : 'MISS';
  console.log(
    `[${String(i + 1).padStart(2)}/${items.length}] ${it.file.padEnd(13)} ${mark.padEnd(5)} want ${it.value.padEnd(9)} got ${shown}  ${Math.round(ms)} ms`,
  );
  if (verbose) {
    for (const r of d.regions) {
      console.log(
        `      region ${r.source} ${Math.round(r.width)}x${Math.round(r.height)} @${r.angleDeg.toFixed(1)}° ${r.text ?? ''}`,
      );
    }
    for (const c of d.candidates.slice(0, 4)) {
      console.log(
        `      cand ${c.digits.padEnd(10)} score ${c.score.toFixed(3)} conf ${c.confidence.toFixed(2)} votes ${c.votes} [${c.reads.map((r) => r.variant).join(', ')}]`,
      );
    }
  }
}
const cpu = process.cpuUsage(cpu0);
const mem = process.memoryUsage();
console.log('');
console.log(`exact and sure (success): ${ok}/${items.length} (${((100 * ok) / Math.max(1, items.length)).toFixed(1)}%)  split=${split}`);
calibration.sort((a, b) => b.confidence - a.confidence);
console.log(`calibration (confidence, X = wrong): ${calibration.map((c) => `${c.confidence.toFixed(2)}${c.good ? '' : 'X'}`).join(' ')}`);
console.log(`cpu: ${((cpu.user + cpu.system) / 1000 / Math.max(1, items.length)).toFixed(0)} ms/image (all threads; the machine is shared, wall time depends on load)`);
console.log(`wrong (given as read at confidence >= ${CONFIRM_BELOW}, not the label): ${wrong}; held for confirmation: ${held} (${heldRight} of them right: top-1 ${ok + heldRight}/${items.length})`);
for (const [kind, k] of perKind) console.log(`  ${kind.padEnd(6)} ${k.ok}/${k.n}`);
console.log(
  `time: ${(totalMs / Math.max(1, items.length)).toFixed(0)} ms/image mean (first image incl. model load: ${firstMs.toFixed(0)} ms; ` +
    `mean without it: ${((totalMs - firstMs) / Math.max(1, items.length - 1)).toFixed(0)} ms; ` +
    `${((1000 * Math.max(1, items.length - 1)) / Math.max(1, totalMs - firstMs)).toFixed(2)} images/s)`,
);
console.log(
  `memory: rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB now, peak ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB, ` +
    `before loading the engine ${(rssBefore / 2 ** 20).toFixed(0)} MiB, after ${(rssLoaded / 2 ** 20).toFixed(0)} MiB (load took ${loadMs.toFixed(0)} ms)`,
);
