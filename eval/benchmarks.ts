// Public intent benchmarks, each loaded as a customer catalogue and trained through the same
// trainIntentModel the API uses; scored top-1 (no threshold) on the test split, which is never
// used for tuning (eval/tune.ts tunes on train splits and MASSIVE dev).
// Each is run without and with the English sentence encoder (sentenceHead.ts: late fusion, and
// concatenation for comparison) when the optional packages are installed; EVAL_ENCODER=off skips it.

import { detectIntents, trainIntentModel, type SentenceVectors, type TrainingExample } from '../src/ai/intents/classifier.js';
import { splitClauses } from '../src/ai/intents/clauses.js';
import { looksEnglish } from '../src/ai/intents/features.js';
import { sentenceEncoderInstalled } from '../src/ai/intents/sentenceEncoder.js';
import type { SentenceOptions } from '../src/ai/intents/sentenceHead.js';
import { evalEncoder, sentenceVectors } from './sentenceVectors.js';
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

interface Encoded {
  vectors: SentenceVectors;
  sentence: Partial<SentenceOptions>;
}

function run(b: Benchmark, setting: string, train: readonly TrainingExample[], language: string, includeNames: boolean, compareIsotonic: boolean, encoded?: Encoded): RunResult {
  const vectors = encoded?.vectors;
  const embed = (text: string) => (vectors && looksEnglish(text) ? vectors.get(text) ?? null : null);
  const examples = catalogueExamples(asCatalogue(train, language), { includeNames }).map((e) => (vectors ? { ...e, embedding: embed(e.text) } : e));
  const t0 = performance.now();
  const model = trainIntentModel(examples, encoded ? { sentence: encoded.sentence } : {});
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
    const best = model.predict(ex.text, embed(ex.text))[0];
    // What the API assigns (POST /intent/detect, the pipeline): the model's own thresholds.
    const got = detectIntents(model, ex.text, {}, vectors);
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
    // ms/item and train s leave out the encoder's own time (see the 'encoder' row)
    note: `ECE ${expectedCalibrationError(top1).toFixed(3)}${model.sentence ? `; fused ${model.sentence.mode}, ${examples.filter((e) => e.embedding).length}/${examples.length} examples encoded` : ''}`,
  }, {
    section: b.name,
    setting: `  assigned (threshold ${model.detectDefaults.threshold.toFixed(2)})`,
    test: b.test.length,
    accuracy: assigned ? assignedRight / assigned : 1,
    note: `precision of assigned; coverage ${(covered / b.test.length).toFixed(3)}, none ${(1 - covered / b.test.length).toFixed(3)}; held-out: ${c.source} t=${c.threshold.toFixed(2)} for ${c.targetPrecision}`,
  }];
  if (compareIsotonic) {
    // The A/B behind TrainOptions.isotonic: recalibrated top-1 confidences, same examples.
    const iso = trainIntentModel(examples, { isotonic: true, ...(encoded ? { sentence: encoded.sentence } : {}) });
    const after = b.test.map((ex) => {
      const best = iso.predict(ex.text, embed(ex.text))[0];
      return { p: best?.confidence ?? 0, correct: best?.code === ex.label };
    });
    rows.push({ section: b.name, setting: '  isotonic recalibration (A/B)', test: b.test.length, note: `ECE ${expectedCalibrationError(top1).toFixed(3)} → ${expectedCalibrationError(after).toFixed(3)}` });
  }
  return { rows, curve: { name: `${b.name} ${setting}`, points: curve(top1) } };
}

/** Vectors of every English text (and clause) the runs read, or null without the encoder. */
async function benchmarkVectors(b: Benchmark): Promise<SentenceVectors | null> {
  if (process.env.EVAL_ENCODER === 'off' || !sentenceEncoderInstalled()) return null;
  const texts = [...b.tenShot, ...b.train, ...b.test].flatMap((e) => [e.text, ...splitClauses(e.text)]).filter((t) => looksEnglish(t));
  return sentenceVectors(texts, b.name);
}

/** The encoder's own cost: ms per text in batches of 16, and the memory its model takes. */
async function encoderCost(): Promise<ResultRow> {
  const rss0 = process.memoryUsage().rss;
  const enc = await evalEncoder();
  if (!enc) return { section: 'encoder', setting: 'not installed', test: 0 };
  const texts = Array.from({ length: 64 }, (_, i) => `I still have not received the new card I ordered ${i} days ago, what can I do?`);
  await enc.embed(texts.slice(0, 16));
  const t0 = performance.now();
  await enc.embed(texts);
  const ms = (performance.now() - t0) / texts.length;
  return { section: 'encoder', setting: 'USE-Lite, batches of 16', test: texts.length, msPerItem: ms, note: `+${((process.memoryUsage().rss - rss0) / 1e6).toFixed(0)} MB RSS in this process (model loaded once)` };
}

export async function evalBenchmarks(): Promise<ResultRow[]> {
  const out: ResultRow[] = [];
  const curves: { name: string; points: CurvePoint[] }[] = [];
  if (process.env.EVAL_ENCODER !== 'off' && sentenceEncoderInstalled()) out.push(await encoderCost());
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
    const vectors = await benchmarkVectors(b);
    const late: Encoded | undefined = vectors ? { vectors, sentence: { mode: 'late' } } : undefined;
    const concat: Encoded | undefined = vectors ? { vectors, sentence: { mode: 'concat', weight: 2 } } : undefined;
    const runs = [
      () => run(b, '10-shot', b.tenShot, language, false, true),
      () => run(b, '10-shot + intent names', b.tenShot, language, true, false),
      () => run(b, 'full train', b.train, language, false, true),
    ];
    if (late && concat) {
      runs.push(
        () => run(b, '10-shot + encoder (late fusion)', b.tenShot, language, false, true, late),
        () => run(b, '10-shot + encoder (concatenation)', b.tenShot, language, false, false, concat),
        () => run(b, '10-shot + intent names + encoder (late fusion)', b.tenShot, language, true, false, late),
        () => run(b, 'full train + encoder (late fusion)', b.train, language, false, true, late),
      );
      // Concatenation at full size costs a dense 512-column SVM on 10k texts: on request only.
      if (process.env.EVAL_CONCAT_FULL) runs.push(() => run(b, 'full train + encoder (concatenation)', b.train, language, false, false, concat));
    }
    for (const r of runs.map((f) => f())) {
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
