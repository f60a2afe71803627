// The seeded catalogue against a labelled German+English set written apart from its examples:
// single intents, messages with no intent, and messages with two concerns.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { detectIntents, trainIntentModel } from '../src/ai/intents/classifier.js';
import { catalogueExamples, type CatalogueEntry } from '../src/ai/intents/catalogue.js';
import { detectLanguage } from '../src/ai/language.js';
import { repoRoot } from './datasets.js';
import { exactMatchAccuracy, macroF1, type ResultRow, type Scored } from './metrics.js';
import { progress } from './progress.js';
import { THRESHOLDS, writeCurvePlot, writeCurveTable, type CurvePoint } from './precisionCoverage.js';

interface LabelledRow {
  text: string;
  labels: string[];
  language: 'de' | 'en' | null;
}

export async function evalIntents(): Promise<ResultRow[]> {
  const catalogue = JSON.parse(readFileSync(path.join(repoRoot, 'data/ai-agents.json'), 'utf8')) as CatalogueEntry[];
  const rows = JSON.parse(readFileSync(path.join(repoRoot, 'eval/data/labelled.json'), 'utf8')) as LabelledRow[];
  const codes = catalogue.map((c) => c.code);
  const examples = catalogueExamples(catalogue);
  const t0 = performance.now();
  const model = trainIntentModel(examples);
  const trainSeconds = (performance.now() - t0) / 1000;

  const bar = progress('labelled set (de+en)', rows.length);
  const scored: (Scored & { row: LabelledRow })[] = [];
  let ms = 0;
  let langHits = 0;
  for (const row of rows) {
    const s = performance.now();
    const predicted = detectIntents(model, row.text).map((p) => p.code);
    ms += performance.now() - s;
    if (detectLanguage(row.text) === row.language) langHits++;
    scored.push({ gold: row.labels, predicted, row });
    bar.tick();
  }
  bar.done();

  // What the pipeline assigns over whole-text thresholds (clause threshold as the model sets it:
  // never below the whole-text one): precision of the assigned intents, share of messages given one.
  const points: CurvePoint[] = THRESHOLDS.map((threshold) => {
    let assigned = 0;
    let right = 0;
    let covered = 0;
    for (const row of rows) {
      const got = detectIntents(model, row.text, { threshold, clauseThreshold: Math.max(threshold, model.detectDefaults.clauseThreshold) });
      assigned += got.length;
      right += got.filter((g) => row.labels.includes(g.code)).length;
      if (got.length) covered++;
    }
    return { threshold, precision: assigned ? right / assigned : 1, coverage: covered / rows.length };
  });
  const curves = [{ name: 'seeded catalogue, labelled de+en', points }];
  process.stdout.write(`\nSeeded catalogue: precision of assigned intents and share of messages given one, over thresholds (eval/out/precision-coverage-seeded.md; ${rows.filter((r) => r.labels.length === 0).length} of ${rows.length} messages have none):\n${writeCurveTable(curves, 'precision-coverage-seeded')}\n`);
  process.stdout.write(`plot: ${await writeCurvePlot(curves, 'precision-coverage-seeded')}\n`);
  let assigned = 0;
  let right = 0;
  for (const s of scored) {
    assigned += s.predicted.length;
    right += s.predicted.filter((p) => s.gold.includes(p)).length;
  }
  const covered = scored.filter((s) => s.predicted.length > 0).length;
  const c = model.calibration;

  const subset = (name: string, keep: (r: LabelledRow) => boolean): ResultRow => {
    const part = scored.filter((s) => keep(s.row));
    return { section: 'intents', setting: name, test: part.length, accuracy: exactMatchAccuracy(part) };
  };
  const misses = scored.filter((s) => exactMatchAccuracy([s]) === 0);
  if (process.env.EVAL_VERBOSE) for (const m of misses) process.stderr.write(`miss: ${JSON.stringify(m.row.text)} gold=${m.gold.join('+') || '-'} got=${m.predicted.join('+') || '-'}\n`);
  return [
    {
      section: 'intents',
      setting: 'labelled de+en, exact set',
      train: examples.length,
      test: rows.length,
      accuracy: exactMatchAccuracy(scored),
      macroF1: macroF1(scored, codes),
      msPerItem: ms / rows.length,
      trainSeconds,
    },
    {
      section: 'intents',
      setting: `  assigned (threshold ${model.detectDefaults.threshold.toFixed(2)})`,
      test: rows.length,
      accuracy: assigned ? right / assigned : 1,
      note: `precision of assigned; coverage ${(covered / rows.length).toFixed(3)}, none ${(1 - covered / rows.length).toFixed(3)}; held-out: ${c.source} t=${c.threshold.toFixed(2)} for ${c.targetPrecision}`,
    },
    subset('  one intent', (r) => r.labels.length === 1),
    subset('  no intent', (r) => r.labels.length === 0),
    subset('  two intents', (r) => r.labels.length === 2),
    subset('  German', (r) => r.language === 'de'),
    subset('  English', (r) => r.language === 'en'),
    { section: 'language', setting: 'labelled de+en (null where unclear)', test: rows.length, accuracy: langHits / rows.length },
  ];
}
