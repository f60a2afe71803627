// Training cost of a 100-intent, 10,000-example catalogue: a synthetic one (invented keywords in
// shared filler words: many overlapping support vectors, the hard case for the solver) and one of
// real customer texts (100 intents drawn from BANKING77 and MASSIVE de-DE, 100 texts each), both
// in-process and in the worker thread the API uses (with the event loop's worst stall meanwhile),
// and BANKING77 in full. CPU seconds stand beside wall seconds: this machine's two cores are shared.

import { trainIntentModel, type TrainingExample } from '../src/ai/intents/classifier.js';
import { trainIntentModelInWorker } from '../src/ai/intents/trainInWorker.js';
import { syntheticCatalogue } from './synthetic.js';
import { loadBanking77, loadMassiveDe } from './datasets.js';
import type { ResultRow } from './metrics.js';
import { progress } from './progress.js';

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

function inProcess(setting: string, examples: TrainingExample[]): ResultRow {
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  const model = trainIntentModel(examples);
  const wall = (performance.now() - t0) / 1000;
  return { section: 'training', setting, train: examples.length, test: 0, trainSeconds: wall, note: `${model.labels.length} intents, ${(cpuSeconds() - cpu0).toFixed(1)} s CPU` };
}

async function inWorker(setting: string, examples: TrainingExample[]): Promise<ResultRow> {
  let worstLag = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    worstLag = Math.max(worstLag, now - last - 10);
    last = now;
  }, 10);
  const t0 = performance.now();
  const model = await trainIntentModelInWorker(examples);
  const wall = (performance.now() - t0) / 1000;
  clearInterval(timer);
  return { section: 'training', setting, train: examples.length, test: 0, trainSeconds: wall, note: `${model.labels.length} intents, event loop stalled ≤ ${worstLag.toFixed(0)} ms` };
}

/** 100 intents × 100 texts from the two benchmarks' train splits (English and German mixed). */
function realMix(): TrainingExample[] | null {
  const b = loadBanking77();
  const m = loadMassiveDe();
  if (!b.ok || !m.ok) return null;
  const byLabel = new Map<string, string[]>();
  for (const [prefix, rows] of [['b77', b.benchmark.train], ['massive', m.benchmark.train]] as const) {
    for (const r of rows) {
      const key = `${prefix}:${r.label}`;
      const list = byLabel.get(key) ?? [];
      list.push(r.text);
      byLabel.set(key, list);
    }
  }
  const labels = [...byLabel].filter(([, texts]) => texts.length >= 100).map(([l]) => l).sort().slice(0, 100);
  return labels.flatMap((label) => (byLabel.get(label) ?? []).slice(0, 100).map((text) => ({ text, label })));
}

export async function evalTraining(): Promise<ResultRow[]> {
  const bar = progress('training time', 5);
  const synthetic = syntheticCatalogue(100, 100);
  const rows: ResultRow[] = [inProcess('synthetic 100×100, in-process', synthetic)];
  bar.tick();
  rows.push(await inWorker('synthetic 100×100, worker thread', synthetic));
  bar.tick();
  const mix = realMix();
  if (mix && mix.length === 10_000) {
    rows.push(inProcess('real texts 100×100, in-process', mix));
    bar.tick();
    rows.push(await inWorker('real texts 100×100, worker thread', mix));
    bar.tick();
  } else rows.push({ section: 'training', setting: 'real texts 100×100 skipped', test: 0, note: 'needs ../shared/data banking77 and massive-de' });
  const b = loadBanking77();
  if (b.ok) rows.push(inProcess('BANKING77 full, in-process', b.benchmark.train));
  else rows.push({ section: 'training', setting: 'BANKING77 skipped', test: 0, note: b.reason });
  bar.done();
  return rows;
}
