// The offline intent classifier: TF-IDF features → one-vs-rest linear SVM → Platt confidences,
// recalibrated on held-out top-1 choices, with a threshold chosen for a target precision (calibration.ts).
// Trained from a customer's catalogue (AI agents with examples); serialisable so a model trained
// in a worker or another process can be swapped in without retraining.

import { TfidfVectorizer, type FeatureOptions } from './features.js';
import { decisionScores, fitPlatt, makeRng, plattProbability, trainOneVsRest, type LinearWeights, type PlattParams, type SvmOptions } from './linearModel.js';
import { splitClauses } from './clauses.js';
import { applyIsotonic, chooseThreshold, fitIsotonic, type HeldOut, type Isotonic, type ThresholdChoice } from './calibration.js';

export interface TrainingExample {
  text: string;
  label: string;
}

export interface IntentPrediction {
  code: string;
  /** calibrated: roughly the chance that this intent is really in the text */
  confidence: number;
}

export interface TrainOptions {
  features?: Partial<FeatureOptions>;
  svm?: Partial<SvmOptions>;
  /** folds for the cross-validated calibration; 0 skips calibration (confidences then use a fixed sigmoid) */
  calibrationFolds?: number;
  /** texts all calibration folds together may train on (default 3000); bounds the extra time */
  calibrationBudget?: number;
  /** the precision the assignment threshold is chosen for on held-out texts (default 0.95) */
  targetPrecision?: number;
  /**
   * Recalibrate the top-1 confidence by isotonic regression on held-out texts (default false).
   * Off by default: held-out texts are all in the catalogue, so the recalibration lifts the
   * confidence of small talk too (eval: exact set 0.968 → 0.910, no-intent 1.00 → 0.81).
   */
  isotonic?: boolean;
  seed?: number;
}

export interface IntentModel {
  readonly labels: string[];
  readonly exampleCount: number;
  /** every label, best first */
  predict(text: string): IntentPrediction[];
  /** raw decision values in `labels` order, for evaluation */
  scores(text: string): Float64Array;
  /** the thresholds detectIntents uses, and how the whole-text one was chosen */
  readonly detectDefaults: Required<DetectOptions>;
  readonly calibration: ThresholdChoice & { targetPrecision: number };
  toJSON(): unknown;
}

export interface DetectOptions {
  /** minimum confidence for an intent of the whole message */
  threshold?: number;
  /** minimum confidence for an intent found in one clause only; higher, as clauses are short */
  clauseThreshold?: number;
  maxIntents?: number;
}

/**
 * Used when a catalogue is too small for held-out evidence (calibration.ts MIN_HELD_OUT), and as
 * floors otherwise. Chosen by eval/tuneDetect.ts — 5-fold cross-validation on the seeded
 * catalogue with held-out examples, joined pairs of them and small talk — never on the eval set:
 * 0.5 / 0.7 scored best (0.837 exact-set).
 */
export const defaultDetectOptions: Required<DetectOptions> = { threshold: 0.5, clauseThreshold: 0.7, maxIntents: 3 };
/**
 * Held-out texts are all in the catalogue, so they cannot show how small talk or an unknown
 * request scores; the whole-text threshold never drops below this, whatever the evidence says.
 */
const THRESHOLD_FLOOR = 0.5;
const DEFAULT_TARGET_PRECISION = 0.95;

const MAX_CLAUSES = 40;
const defaultSvm: Partial<SvmOptions> = { C: 1, loss: 'l2' };
/** A fallback sigmoid for uncalibrated models: score 0 (the SVM margin's middle) maps to ~0.27. */
const UNCALIBRATED: PlattParams = { a: -4, b: 1 };
const FORMAT = 'ticketmind-intent-model';

interface ModelParts {
  labels: string[];
  exampleCount: number;
  vectorizer: TfidfVectorizer;
  linear: LinearWeights;
  platt: PlattParams;
  /** recalibrates the top-1 confidence (null: Platt's probability as it is) */
  isotonic: Isotonic | null;
  calibration: ThresholdChoice & { targetPrecision: number };
}

interface Calibration {
  platt: PlattParams;
  isotonic: Isotonic | null;
  calibration: ThresholdChoice & { targetPrecision: number };
}

function fitParts(examples: readonly TrainingExample[], labels: string[], opts: TrainOptions): { vectorizer: TfidfVectorizer; linear: LinearWeights } {
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const { vectorizer, vectors } = TfidfVectorizer.fit(examples.map((e) => e.text), opts.features);
  const y = Int32Array.from(examples, (e) => labelIndex.get(e.label) ?? -1);
  const linear = trainOneVsRest(vectors, y, labels.length, vectorizer.dimension, { ...defaultSvm, ...opts.svm, seed: opts.seed ?? 1 });
  return { vectorizer, linear };
}

/**
 * Stratified folds: each held-out text is scored by a model that never saw it, and Platt's
 * sigmoid is fitted on those (score, is-true-label) pairs over all labels. The folds together
 * train on at most `calibrationBudget` texts: a catalogue of up to ~750 texts runs all five folds,
 * a bigger one runs fewer, and one fold of a very big catalogue trains on a sample. Calibration so
 * costs at most about what training on 3000 texts costs (the seeded catalogue: all folds; 10,000
 * texts: a third more time instead of five times). A fold model that saw fewer texts than the
 * final one gives slightly conservative confidences — the safe side for a threshold.
 */
function calibrate(examples: readonly TrainingExample[], labels: string[], opts: TrainOptions): Calibration {
  const folds = opts.calibrationFolds ?? 5;
  const targetPrecision = opts.targetPrecision ?? DEFAULT_TARGET_PRECISION;
  const uncalibrated: Calibration = { platt: UNCALIBRATED, isotonic: null, calibration: { ...chooseThreshold([], targetPrecision, defaultDetectOptions.threshold), targetPrecision } };
  if (folds < 2 || labels.length < 2) return uncalibrated;
  const rng = makeRng((opts.seed ?? 1) + 7919);
  const fold = new Int32Array(examples.length);
  const byLabel = new Map<string, number[]>();
  examples.forEach((e, i) => {
    const list = byLabel.get(e.label);
    if (list) list.push(i);
    else byLabel.set(e.label, [i]);
  });
  let offset = 0;
  for (const idxs of byLabel.values()) {
    for (let i = idxs.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [idxs[i], idxs[j]] = [idxs[j] ?? 0, idxs[i] ?? 0];
    }
    // Continue the round-robin across labels so small labels do not all land in fold 0.
    idxs.forEach((ex, k) => (fold[ex] = (offset + k) % folds));
    offset += idxs.length;
  }
  const budget = opts.calibrationBudget ?? 3000;
  const scores: number[] = [];
  const positive: boolean[] = [];
  // Per held-out text: its best score and whether that label was right (for the top-1 calibration).
  const top: { score: number; correct: boolean }[] = [];
  let used = 0;
  for (let f = 0; f < folds; f++) {
    let train = examples.filter((_, i) => fold[i] !== f);
    if (used > 0 && used + train.length > budget) break;
    if (train.length > budget) {
      // Keep two texts of every label, then a uniform sample of the rest.
      const seen = new Map<string, number>();
      const p = budget / train.length;
      train = train.filter((e) => {
        const n = (seen.get(e.label) ?? 0) + 1;
        seen.set(e.label, n);
        return n <= 2 || rng() < p;
      });
    }
    used += train.length;
    const test = examples.filter((_, i) => fold[i] === f);
    const present = labels.filter((l) => train.some((e) => e.label === l));
    if (present.length < 2 || test.length === 0) continue;
    const { vectorizer, linear } = fitParts(train, present, opts);
    for (const ex of test) {
      const s = decisionScores(linear, vectorizer.transform(ex.text));
      let best = 0;
      present.forEach((l, c) => {
        scores.push(s[c] ?? 0);
        positive.push(l === ex.label);
        if ((s[c] ?? 0) > (s[best] ?? 0)) best = c;
      });
      // The background class of a one-label catalogue is not an intent a customer sees.
      if (!ex.label.startsWith('\u0000')) top.push({ score: s[best] ?? 0, correct: present[best] === ex.label });
    }
  }
  if (!scores.length) return uncalibrated;
  const platt = fitPlatt(scores, positive);
  const heldOut: HeldOut[] = top.map((t) => ({ p: plattProbability(platt, t.score), correct: t.correct }));
  const isotonic = opts.isotonic ? fitIsotonic(heldOut) : null;
  const recalibrated = heldOut.map((h) => ({ p: applyIsotonic(isotonic, h.p), correct: h.correct }));
  return { platt, isotonic, calibration: { ...chooseThreshold(recalibrated, targetPrecision, defaultDetectOptions.threshold), targetPrecision } };
}

export function trainIntentModel(examples: readonly TrainingExample[], opts: TrainOptions = {}): IntentModel {
  const usable = examples.filter((e) => e.label !== '' && e.text.trim() !== '');
  const labels = [...new Set(usable.map((e) => e.label))].sort();
  if (labels.length === 0) return buildModel({ labels, exampleCount: 0, ...fitParts([], [], opts), ...calibrate([], [], opts) });
  // One label has nothing to be told apart from: give it an empty background class so the SVM
  // still learns which words matter, and report only the real label.
  const trainSet = labels.length === 1 ? [...usable, ...BACKGROUND.map((text) => ({ text, label: '\u0000background' }))] : usable;
  const trainLabels = labels.length === 1 ? [...labels, '\u0000background'] : labels;
  const { vectorizer, linear } = fitParts(trainSet, trainLabels, opts);
  return buildModel({ labels: trainLabels, exampleCount: usable.length, vectorizer, linear, ...calibrate(trainSet, trainLabels, opts) });
}

/** Generic small talk, used only to give a one-label catalogue a contrast. */
const BACKGROUND = ['hallo', 'danke', 'guten tag', 'hello', 'thank you', 'ok', 'viele grüße', 'best regards', 'wie geht es', 'how are you'];

function buildModel(parts: ModelParts): IntentModel {
  const { vectorizer, linear, platt, isotonic, calibration, exampleCount } = parts;
  const threshold = calibration.source === 'held-out' ? Math.max(THRESHOLD_FLOOR, calibration.threshold) : defaultDetectOptions.threshold;
  const detectDefaults: Required<DetectOptions> = { threshold, clauseThreshold: Math.max(threshold, defaultDetectOptions.clauseThreshold), maxIntents: defaultDetectOptions.maxIntents };
  const visible = parts.labels.filter((l) => !l.startsWith('\u0000'));
  const allScores = (text: string): Float64Array => (linear.classes ? decisionScores(linear, vectorizer.transform(text)) : new Float64Array(0));
  return {
    labels: visible,
    exampleCount,
    // The background class of a one-label model is always last; it is not a label.
    scores: (text) => allScores(text).slice(0, visible.length),
    detectDefaults,
    calibration,
    predict(text: string): IntentPrediction[] {
      const s = allScores(text);
      // The recalibration is monotone: it changes what a confidence means, never the order.
      return parts.labels
        .map((code, c) => ({ code, confidence: applyIsotonic(isotonic, plattProbability(platt, s[c] ?? 0)) }))
        .filter((p) => !p.code.startsWith('\u0000'))
        .sort((a, b) => b.confidence - a.confidence);
    },
    toJSON: () => ({
      format: FORMAT,
      version: 2,
      labels: parts.labels,
      exampleCount,
      vectorizer: vectorizer.toJSON(),
      dimension: linear.dimension,
      // little-endian float32, as every platform Node runs on stores them
      weights: Buffer.from(linear.weights.buffer, linear.weights.byteOffset, linear.weights.byteLength).toString('base64'),
      intercepts: Array.from(linear.intercepts),
      platt,
      isotonic,
      calibration,
    }),
  };
}

export function loadIntentModel(json: unknown): IntentModel {
  const j = json as Record<string, unknown> | null;
  if (!j || j.format !== FORMAT || j.version !== 2) throw new Error('not a ticketmind intent model (format/version mismatch)');
  const labels = j.labels as string[];
  const dimension = Number(j.dimension);
  const buf = Buffer.from(String(j.weights), 'base64');
  // Copy into a fresh, aligned buffer: Buffer.from(base64) may sit at an odd offset of a pool.
  const weights = new Float32Array(new Uint8Array(buf).buffer);
  if (weights.length !== dimension * labels.length) throw new Error('intent model weights do not match labels × dimension');
  const vectorizer = TfidfVectorizer.fromJSON(j.vectorizer as Parameters<typeof TfidfVectorizer.fromJSON>[0]);
  const linear: LinearWeights = { classes: labels.length, dimension, weights, intercepts: Float32Array.from(j.intercepts as number[]) };
  return buildModel({ labels, exampleCount: Number(j.exampleCount), vectorizer, linear, platt: j.platt as PlattParams, isotonic: j.isotonic as Isotonic | null, calibration: j.calibration as ModelParts['calibration'] });
}

/**
 * The intents of a customer message: those of the whole text above `threshold`, plus the best
 * intent of any single clause above `clauseThreshold` (a second concern in one sentence is
 * diluted in the whole-text score). Zero intents when nothing is confident: small talk, thanks.
 */
export function detectIntents(model: IntentModel, text: string, opts: DetectOptions = {}): IntentPrediction[] {
  const o = { ...model.detectDefaults, ...opts };
  const found = new Map<string, number>();
  for (const p of model.predict(text)) if (p.confidence >= o.threshold) found.set(p.code, p.confidence);
  // A bounded number of clauses keeps a long mail's latency bounded; concerns come early.
  const clauses = splitClauses(text).slice(0, MAX_CLAUSES);
  if (clauses.length > 1) {
    for (const clause of clauses) {
      const top = model.predict(clause)[0];
      if (top && top.confidence >= o.clauseThreshold && top.confidence > (found.get(top.code) ?? 0)) found.set(top.code, top.confidence);
    }
  }
  return [...found]
    .map(([code, confidence]) => ({ code, confidence }))
    .sort((a, b) => b.confidence - a.confidence)
    .slice(0, o.maxIntents);
}
