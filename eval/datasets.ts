// Loaders for the public benchmarks in ../shared/data. They are read in place, never copied
// into the project, and a fresh clone without them gets a clear skip instead of a crash.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TrainingExample } from '../src/ai/intents/classifier.js';
import { parseCsvObjects } from './csv.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const sharedDataDir = path.resolve(repoRoot, '../shared/data');

export interface Benchmark {
  name: string;
  /** the fixed 10-shot sample */
  tenShot: TrainingExample[];
  train: TrainingExample[];
  /** a tuning split where the dataset has one (MASSIVE); BANKING77 tunes by cross-validation */
  dev?: TrainingExample[];
  test: TrainingExample[];
}

export type LoadResult = { ok: true; benchmark: Benchmark } | { ok: false; reason: string };

export function loadBanking77(dir = path.join(sharedDataDir, 'banking77')): LoadResult {
  const files = ['train.csv', 'test.csv', 'train-10shot.csv'];
  const missing = files.filter((f) => !existsSync(path.join(dir, f)));
  if (missing.length) return { ok: false, reason: `BANKING77 not found (${missing.join(', ')} missing in ${dir})` };
  const read = (f: string) => parseCsvObjects(readFileSync(path.join(dir, f), 'utf8'));
  const toExample = (r: Record<string, string>): TrainingExample => ({ text: r.text ?? '', label: r.category ?? '' });
  const trainRows = read('train.csv');
  const train = trainRows.map(toExample);
  const tenShot = read('train-10shot.csv').map((r) => {
    const row = train[Number(r.train_row)];
    if (!row || row.text !== r.text || row.label !== r.category) throw new Error(`BANKING77 10-shot row ${r.train_row} does not match train.csv`);
    return toExample(r);
  });
  return { ok: true, benchmark: { name: 'BANKING77', tenShot, train, test: read('test.csv').map(toExample) } };
}

function readJsonl(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function loadMassiveDe(dir = path.join(sharedDataDir, 'massive-de')): LoadResult {
  const files = ['train.jsonl', 'dev.jsonl', 'test.jsonl', 'train-10shot.jsonl'];
  const missing = files.filter((f) => !existsSync(path.join(dir, f)));
  if (missing.length) return { ok: false, reason: `MASSIVE de-DE not found (${missing.join(', ')} missing in ${dir})` };
  const read = (f: string) => readJsonl(path.join(dir, f));
  const toExample = (r: Record<string, unknown>): TrainingExample => ({ text: String(r.utt), label: String(r.intent) });
  const trainRows = read('train.jsonl');
  const tenShot = read('train-10shot.jsonl').map((r) => {
    const row = trainRows[Number(r.train_row)];
    if (!row || row.id !== r.id || row.utt !== r.utt || row.intent !== r.intent) throw new Error(`MASSIVE 10-shot row ${String(r.train_row)} does not match train.jsonl`);
    return toExample(r);
  });
  return {
    ok: true,
    benchmark: {
      name: 'MASSIVE de-DE',
      tenShot,
      train: trainRows.map(toExample),
      dev: read('dev.jsonl').map(toExample),
      test: read('test.jsonl').map(toExample),
    },
  };
}
