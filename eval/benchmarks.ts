// Public intent benchmarks, each loaded as a customer catalogue and trained through the same
// trainIntentModel the API uses; scored top-1 (no threshold) on the test split, which is never
// used for tuning (eval/tune.ts tunes on train splits and MASSIVE dev).

import { detectIntents, trainIntentModel, type TrainingExample } from '../src/ai/intents/classifier.js';
import { expectedCalibrationError } from '../src/ai/intents/calibration.js';
import { curve, writeCurvePlot, writeCurveTable, type Assignment, type CurvePoint } from './precisionCoverage.js';
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

interface RunResult {
  rows: ResultRow[];
  curve: { name: string; points: CurvePoint[] };
}

function run(b: Benchmark, setting: string, train: readonly TrainingExample[], language: string, includeNames: boolean, compareIsotonic: boolean): RunResult {
  const examples = catalogueExamples(asCatalogue(train, language), { includeNames });
  const t0 = performance.now();
  const model = trainIntentModel(examples);
  const trainSeconds = (performance.now() - t0) / 1000;
  const bar = progress(`${b.name} ${setting}`, b.test.length);
  let hits = 0;
  let ms = 0;
  let assigned = 0;
  let assignedRight = 0;
  let covered = 0;
  const top1: Assignment[] = [];
  const scored = b.test.map((ex) => {
    const s = performance.now();
    const best = model.predict(ex.text)[0];
    // What the API assigns (POST /intent/detect, the pipeline): the model's own thresholds.
    const got = detectIntents(model, ex.text);
    ms += performance.now() - s;
    const top = best?.code ?? '';
    if (top === ex.label) hits++;
    top1.push({ p: best?.confidence ?? 0, correct: top === ex.label });
    assigned += got.length;
    assignedRight += got.filter((g) => g.code === ex.label).length;
    if (got.length > 0) covered++;
    bar.tick();
    return { gold: [ex.label], predicted: [top] };
  });
  bar.done();
  const c = model.calibration;
  const rows: ResultRow[] = [{
    section: b.name,
    setting,
    train: train.length,
    test: b.test.length,
    accuracy: hits / b.test.length,
    macroF1: macroF1(scored),
    msPerItem: ms / b.test.length,
    trainSeconds,
    note: `ECE ${expectedCalibrationError(top1).toFixed(3)}`,
  }, {
    section: b.name,
    setting: `  assigned (threshold ${model.detectDefaults.threshold.toFixed(2)})`,
    test: b.test.length,
    accuracy: assigned ? assignedRight / assigned : 1,
    note: `precision of assigned; coverage ${(covered / b.test.length).toFixed(3)}, none ${(1 - covered / b.test.length).toFixed(3)}; held-out: ${c.source} t=${c.threshold.toFixed(2)} for ${c.targetPrecision}`,
  }];
  if (compareIsotonic) {
    // The A/B behind TrainOptions.isotonic: recalibrated top-1 confidences, same examples.
    const iso = trainIntentModel(examples, { isotonic: true });
    const after = b.test.map((ex) => {
      const best = iso.predict(ex.text)[0];
      return { p: best?.confidence ?? 0, correct: best?.code === ex.label };
    });
    rows.push({ section: b.name, setting: '  isotonic recalibration (A/B)', test: b.test.length, note: `ECE ${expectedCalibrationError(top1).toFixed(3)} → ${expectedCalibrationError(after).toFixed(3)}` });
  }
  return { rows, curve: { name: `${b.name} ${setting}`, points: curve(top1) } };
}

export async function evalBenchmarks(): Promise<ResultRow[]> {
  const out: ResultRow[] = [];
  const curves: { name: string; points: CurvePoint[] }[] = [];
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
    for (const r of [
      run(b, '10-shot', b.tenShot, language, false, true),
      run(b, '10-shot + intent names', b.tenShot, language, true, false),
      run(b, 'full train', b.train, language, false, true),
    ]) {
      out.push(...r.rows);
      curves.push(r.curve);
    }
  }
  if (curves.length) {
    process.stdout.write(`\nTop-1 precision and coverage over confidence thresholds (eval/out/precision-coverage.md):\n${writeCurveTable(curves)}\n`);
    process.stdout.write(`plot: ${await writeCurvePlot(curves)}\n`);
  }
  return out;
}
