// Public intent benchmarks, each loaded as a customer catalogue and trained through the same
// trainIntentModel the API uses; scored top-1 (no threshold) on the test split, which is never
// used for tuning (eval/tune.ts tunes on train splits and MASSIVE dev).

import { trainIntentModel, type TrainingExample } from '../src/ai/intents/classifier.js';
import { catalogueExamples, type CatalogueEntry } from '../src/ai/intents/catalogue.js';
import { loadBanking77, loadMassiveDe, type Benchmark, type LoadResult } from './datasets.js';
import { macroF1, type ResultRow } from './metrics.js';
import { progress } from './progress.js';

/** Group rows into catalogue entries: one AI agent per intent, its rows as examples. */
function asCatalogue(rows: readonly TrainingExample[], language: string): CatalogueEntry[] {
  const byLabel = new Map<string, string[]>();
  for (const r of rows) byLabel.set(r.label, [...(byLabel.get(r.label) ?? []), r.text]);
  return [...byLabel].map(([code, texts]) => ({ code, name: code.replace(/_/g, ' ').toLowerCase(), examples: { [language]: texts } }));
}

function run(b: Benchmark, setting: string, train: readonly TrainingExample[], language: string, includeNames: boolean): ResultRow {
  const examples = catalogueExamples(asCatalogue(train, language), { includeNames });
  const t0 = performance.now();
  const model = trainIntentModel(examples);
  const trainSeconds = (performance.now() - t0) / 1000;
  const bar = progress(`${b.name} ${setting}`, b.test.length);
  let hits = 0;
  let ms = 0;
  const confidence: { p: number; hit: boolean }[] = [];
  const scored = b.test.map((ex) => {
    const s = performance.now();
    const best = model.predict(ex.text)[0];
    ms += performance.now() - s;
    const top = best?.code ?? '';
    if (top === ex.label) hits++;
    confidence.push({ p: best?.confidence ?? 0, hit: top === ex.label });
    bar.tick();
    return { gold: [ex.label], predicted: [top] };
  });
  bar.done();
  return {
    section: b.name,
    setting,
    train: train.length,
    test: b.test.length,
    accuracy: hits / b.test.length,
    macroF1: macroF1(scored),
    msPerItem: ms / b.test.length,
    trainSeconds,
    note: `ECE ${expectedCalibrationError(confidence).toFixed(3)}`,
  };
}

/**
 * Expected calibration error of the top-1 confidence over 10 equal-width bins: how far "0.8" is
 * from being right 80% of the time. Evidence that a confidence threshold means something.
 */
function expectedCalibrationError(rows: readonly { p: number; hit: boolean }[]): number {
  const bins = Array.from({ length: 10 }, () => ({ n: 0, p: 0, hits: 0 }));
  for (const r of rows) {
    const bin = bins[Math.min(9, Math.floor(r.p * 10))];
    if (!bin) continue;
    bin.n++;
    bin.p += r.p;
    bin.hits += r.hit ? 1 : 0;
  }
  return bins.reduce((sum, b) => sum + (b.n ? Math.abs(b.p - b.hits) : 0), 0) / Math.max(1, rows.length);
}

export async function evalBenchmarks(): Promise<ResultRow[]> {
  const out: ResultRow[] = [];
  const sets: [LoadResult, string][] = [
    [loadBanking77(), 'en'],
    [loadMassiveDe(), 'de'],
  ];
  for (const [loaded, language] of sets) {
    if (!loaded.ok) {
      process.stderr.write(`skipped: ${loaded.reason}\n`);
      out.push({ section: 'benchmark', setting: 'skipped', test: 0, note: loaded.reason });
      continue;
    }
    const b = loaded.benchmark;
    out.push(run(b, '10-shot', b.tenShot, language, false));
    out.push(run(b, '10-shot + intent names', b.tenShot, language, true));
    out.push(run(b, 'full train', b.train, language, false));
  }
  return out;
}
