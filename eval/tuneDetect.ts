// Picks detectIntents' thresholds by cross-validation on the seeded catalogue alone, never on
// eval/data/labelled.json: held-out examples (one intent), pairs of held-out examples from two
// intents joined into one message (two intents), and generic small talk (no intent).
// Usage: tsx eval/tuneDetect.ts

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { detectIntents, trainIntentModel, type TrainingExample } from '../src/ai/intents/classifier.js';
import { catalogueExamples, type CatalogueEntry } from '../src/ai/intents/catalogue.js';
import { makeRng } from '../src/ai/intents/linearModel.js';
import { repoRoot } from './datasets.js';
import { exactMatchAccuracy, type Scored } from './metrics.js';

const SMALL_TALK = [
  'Hallo', 'Guten Tag', 'Danke!', 'Vielen Dank und schönes Wochenende', 'Mit freundlichen Grüßen', 'Ist da jemand?',
  'Ich melde mich später nochmal.', 'Wie ist das Wetter bei Ihnen?', 'Hello', 'Thank you very much', 'Kind regards',
  'Have a nice weekend', 'See you', 'Is anybody there?', 'I will get back to you later.', 'Sorry, wrong address.',
];
const JOIN = { de: ' Außerdem ', en: ' Also, ' };

const catalogue = JSON.parse(readFileSync(path.join(repoRoot, 'data/ai-agents.json'), 'utf8')) as CatalogueEntry[];
const rng = makeRng(42);
const folds = 5;
const cases: { fold: number; text: string; gold: string[] }[] = [];
const trainRows: (TrainingExample & { fold: number; lang: 'de' | 'en' })[] = [];
for (const entry of catalogue) {
  for (const lang of ['de', 'en'] as const) {
    for (const text of entry.examples?.[lang] ?? []) trainRows.push({ text, label: entry.code, fold: Math.floor(rng() * folds), lang });
  }
}
for (let f = 0; f < folds; f++) {
  const held = trainRows.filter((r) => r.fold === f);
  for (const r of held) cases.push({ fold: f, text: r.text, gold: [r.label] });
  for (let k = 0; k < 60; k++) {
    const a = held[Math.floor(rng() * held.length)];
    const b = held[Math.floor(rng() * held.length)];
    if (!a || !b || a.label === b.label || a.lang !== b.lang) continue;
    cases.push({ fold: f, text: `${a.text.trimEnd()}${JOIN[a.lang]}${b.text}`, gold: [a.label, b.label] });
  }
  for (const t of SMALL_TALK) cases.push({ fold: f, text: t, gold: [] });
}

const grid: { threshold: number; clauseThreshold: number }[] = [];
for (const threshold of [0.3, 0.4, 0.5, 0.6, 0.7]) for (const clauseThreshold of [0.5, 0.6, 0.7, 0.8, 0.9]) grid.push({ threshold, clauseThreshold });
const scored = grid.map(() => ({ all: [] as Scored[], one: [] as Scored[], two: [] as Scored[], none: [] as Scored[] }));
for (let f = 0; f < folds; f++) {
  const train = catalogueExamples(catalogue.map((c) => ({ ...c, examples: {} })));
  train.push(...trainRows.filter((r) => r.fold !== f));
  const model = trainIntentModel(train);
  for (const c of cases.filter((x) => x.fold === f)) {
    grid.forEach((g, i) => {
      const s = { gold: c.gold, predicted: detectIntents(model, c.text, g).map((p) => p.code) };
      const bucket = scored[i];
      if (!bucket) return;
      bucket.all.push(s);
      (c.gold.length === 0 ? bucket.none : c.gold.length === 1 ? bucket.one : bucket.two).push(s);
    });
  }
}
grid.forEach((g, i) => {
  const b = scored[i];
  if (!b) return;
  const f = (x: Scored[]) => exactMatchAccuracy(x).toFixed(3);
  console.log(`threshold ${g.threshold} clause ${g.clauseThreshold} | all ${f(b.all)} | one ${f(b.one)} | two ${f(b.two)} | none ${f(b.none)}`);
});
