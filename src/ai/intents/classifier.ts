// The offline intent classifier: TF-IDF features → one-vs-rest linear SVM → Platt confidences,
// recalibrated on held-out top-1 choices, with a threshold chosen for a target precision (calibration.ts).
// Trained from a customer's catalogue (AI agents with examples); serialisable so a model trained
// in a worker or another process can be swapped in without retraining.

import { looksEnglish, TfidfVectorizer, type FeatureOptions } from './features.js';
import { decisionScores, fitPlatt, makeRng, plattProbability, trainOneVsRest, type LinearWeights, type PlattParams, type SvmOptions } from './linearModel.js';
import { splitClauses } from './clauses.js';
import { appendSentence, defaultSentenceOptions, headScores, trainSentenceHead, type SentenceOptions } from './sentenceHead.js';
import { applyIsotonic, chooseThreshold, fitIsotonic, type HeldOut, type Isotonic, type ThresholdChoice } from './calibration.js';

export interface TrainingExample {
  text: string;
  label: string;
  /** the text's sentence vector (sentenceEncoder.ts), for English texts when the encoder is on */
  embedding?: Float32Array | null;
}

/** Sentence vectors by text, as detectIntents looks them up (missing: TF-IDF alone). */
export type SentenceVectors = ReadonlyMap<string, Float32Array>;

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
  /** how examples' sentence vectors join the TF-IDF features (sentenceHead.ts); unused without vectors */
  sentence?: Partial<SentenceOptions>;
  seed?: number;
}

export interface IntentModel {
  readonly labels: string[];
  readonly exampleCount: number;
  /** every label, best first; `embedding` is the text's sentence vector when the model uses them */
  predict(text: string, embedding?: Float32Array | null): IntentPrediction[];
  /** raw decision values in `labels` order, for evaluation */
  scores(text: string, embedding?: Float32Array | null): Float64Array;
  /** how sentence vectors join in, or null: this model never reads them */
  readonly sentence: SentenceOptions | null;
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
/** Clauses beyond these are scored by TF-IDF alone: each vector costs ~20 ms of encoder time. */
const MAX_EMBEDDED_CLAUSES = 8;
const defaultSvm: Partial<SvmOptions> = { C: 1, loss: 'l2' };
/** A fallback sigmoid for uncalibrated models: score 0 (the SVM margin's middle) maps to ~0.27. */
const UNCALIBRATED: PlattParams = { a: -4, b: 1 };
const FORMAT = 'ticketmind-intent-model';

/** The trained scorers: TF-IDF SVM, and the sentence part when examples had vectors. */
interface Scorer {
  vectorizer: TfidfVectorizer;
  linear: LinearWeights;
  sentence: SentenceOptions | null;
  /** the late-fusion head (null in 'concat' mode or without vectors) */
  head: LinearWeights | null;
}

interface ModelParts extends Scorer {
  labels: string[];
  exampleCount: number;
  platt: PlattParams;
  /** the sigmoid of fused decision values (texts with a sentence vector); null without a sentence part */
  fusedPlatt: PlattParams | null;
  /** recalibrates the top-1 confidence (null: Platt's probability as it is) */
  isotonic: Isotonic | null;
  calibration: ThresholdChoice & { targetPrecision: number };
}

interface Calibration {
  platt: PlattParams;
  fusedPlatt: PlattParams | null;
  isotonic: Isotonic | null;
  calibration: ThresholdChoice & { targetPrecision: number };
}

function fitParts(examples: readonly TrainingExample[], labels: string[], opts: TrainOptions): Scorer {
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const { vectorizer, vectors } = TfidfVectorizer.fit(examples.map((e) => e.text), opts.features);
  const y = Int32Array.from(examples, (e) => labelIndex.get(e.label) ?? -1);
  const svm = { ...defaultSvm, ...opts.svm, seed: opts.seed ?? 1 };
  const sentence = examples.some((e) => e.embedding) ? { ...defaultSentenceOptions, ...opts.sentence } : null;
  if (sentence?.mode === 'concat') {
    const xs = vectors.map((x, i) => {
      const v = examples[i]!.embedding;
      return v ? appendSentence(x, v, vectorizer.dimension, sentence.weight) : x;
    });
    const linear = trainOneVsRest(xs, y, labels.length, vectorizer.dimension + (examples.find((e) => e.embedding)?.embedding?.length ?? 0), svm);
    return { vectorizer, linear, sentence, head: null };
  }
  const linear = trainOneVsRest(vectors, y, labels.length, vectorizer.dimension, svm);
  const head = sentence ? trainSentenceHead(examples.map((e) => e.embedding), y, labels.length, sentence, svm) : null;
  return { vectorizer, linear, sentence: head ? sentence : null, head };
}

/**
 * Decision values of one text, and whether its sentence vector took part (then they are on the
 * fused scale, with their own sigmoid). `plain` also gives the TF-IDF model's own values.
 */
function scoreText(s: Scorer, text: string, embedding: Float32Array | null | undefined): { scores: Float64Array; fused: boolean } {
  if (!s.linear.classes) return { scores: new Float64Array(0), fused: false };
  const x = s.vectorizer.transform(text);
  if (embedding && s.sentence?.mode === 'concat' && s.linear.dimension === s.vectorizer.dimension + embedding.length) {
    return { scores: decisionScores(s.linear, appendSentence(x, embedding, s.vectorizer.dimension, s.sentence.weight)), fused: true };
  }
  const scores = decisionScores(s.linear, x);
  if (!embedding || !s.head || s.head.dimension !== embedding.length) return { scores, fused: false };
  const h = headScores(s.head, embedding);
  const w = s.sentence?.weight ?? 1;
  for (let c = 0; c < scores.length; c++) scores[c]! += w * (h[c] ?? 0);
  return { scores, fused: true };
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
  const uncalibrated: Calibration = { platt: UNCALIBRATED, fusedPlatt: null, isotonic: null, calibration: { ...chooseThreshold([], targetPrecision, defaultDetectOptions.threshold), targetPrecision } };
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
  const fusedScores: number[] = [];
  const fusedPositive: boolean[] = [];
  // Per held-out text: its best score, on which scale, and whether that label was right (for the top-1 calibration).
  const top: { score: number; fused: boolean; correct: boolean }[] = [];
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
    const scorer = fitParts(train, present, opts);
    for (const ex of test) {
      // The TF-IDF values alone always feed `platt`: a German text, or an English one when the
      // encoder is missing at serving time, is scored on that scale.
      const plain = scoreText(scorer, ex.text, null).scores;
      const fused = ex.embedding && scorer.sentence ? scoreText(scorer, ex.text, ex.embedding) : null;
      const s = fused?.fused ? fused.scores : plain;
      let best = 0;
      present.forEach((l, c) => {
        scores.push(plain[c] ?? 0);
        positive.push(l === ex.label);
        if (fused?.fused) {
          fusedScores.push(s[c] ?? 0);
          fusedPositive.push(l === ex.label);
        }
        if ((s[c] ?? 0) > (s[best] ?? 0)) best = c;
      });
      // The background class of a one-label catalogue is not an intent a customer sees.
      if (!ex.label.startsWith('\u0000')) top.push({ score: s[best] ?? 0, fused: fused?.fused ?? false, correct: present[best] === ex.label });
    }
  }
  if (!scores.length) return uncalibrated;
  const platt = fitPlatt(scores, positive);
  const fusedPlatt = fusedScores.length ? fitPlatt(fusedScores, fusedPositive) : null;
  const heldOut: HeldOut[] = top.map((t) => ({ p: plattProbability(t.fused && fusedPlatt ? fusedPlatt : platt, t.score), correct: t.correct }));
  const isotonic = opts.isotonic ? fitIsotonic(heldOut) : null;
  const recalibrated = heldOut.map((h) => ({ p: applyIsotonic(isotonic, h.p), correct: h.correct }));
  return { platt, fusedPlatt, isotonic, calibration: { ...chooseThreshold(recalibrated, targetPrecision, defaultDetectOptions.threshold), targetPrecision } };
}

export function trainIntentModel(examples: readonly TrainingExample[], opts: TrainOptions = {}): IntentModel {
  const usable = examples.filter((e) => e.label !== '' && e.text.trim() !== '');
  const labels = [...new Set(usable.map((e) => e.label))].sort();
  if (labels.length === 0) return buildModel({ labels, exampleCount: 0, ...fitParts([], [], opts), ...calibrate([], [], opts) });
  // One label has nothing to be told apart from: give it an empty background class so the SVM
  // still learns which words matter, and report only the real label.
  const trainSet = labels.length === 1 ? [...usable, ...BACKGROUND.map((text) => ({ text, label: '\u0000background' }))] : usable;
  const trainLabels = labels.length === 1 ? [...labels, '\u0000background'] : labels;
  return buildModel({ labels: trainLabels, exampleCount: usable.length, ...fitParts(trainSet, trainLabels, opts), ...calibrate(trainSet, trainLabels, opts) });
}

/** Generic small talk, used only to give a one-label catalogue a contrast. */
const BACKGROUND = ['hallo', 'danke', 'guten tag', 'hello', 'thank you', 'ok', 'viele grüße', 'best regards', 'wie geht es', 'how are you'];

function buildModel(parts: ModelParts): IntentModel {
  const { platt, fusedPlatt, isotonic, calibration, exampleCount } = parts;
  const threshold = calibration.source === 'held-out' ? Math.max(THRESHOLD_FLOOR, calibration.threshold) : defaultDetectOptions.threshold;
  const detectDefaults: Required<DetectOptions> = { threshold, clauseThreshold: Math.max(threshold, defaultDetectOptions.clauseThreshold), maxIntents: defaultDetectOptions.maxIntents };
  const visible = parts.labels.filter((l) => !l.startsWith('\u0000'));
  return {
    labels: visible,
    exampleCount,
    sentence: parts.sentence,
    // The background class of a one-label model is always last; it is not a label.
    scores: (text, embedding) => scoreText(parts, text, embedding).scores.slice(0, visible.length),
    detectDefaults,
    calibration,
    predict(text, embedding) {
      const { scores: s, fused } = scoreText(parts, text, embedding);
      const sigmoid = fused && fusedPlatt ? fusedPlatt : platt;
      // The recalibration is monotone: it changes what a confidence means, never the order.
      return parts.labels
        .map((code, c) => ({ code, confidence: applyIsotonic(isotonic, plattProbability(sigmoid, s[c] ?? 0)) }))
        .filter((p) => !p.code.startsWith('\u0000'))
        .sort((a, b) => b.confidence - a.confidence);
    },
    toJSON: () => ({
      format: FORMAT,
      version: 2,
      labels: parts.labels,
      exampleCount,
      vectorizer: parts.vectorizer.toJSON(),
      dimension: parts.linear.dimension,
      weights: floatsToBase64(parts.linear.weights),
      intercepts: Array.from(parts.linear.intercepts),
      platt,
      isotonic,
      calibration,
      // Absent in models without sentence vectors, so those serialise exactly as before.
      ...(parts.sentence ? { sentence: parts.sentence, fusedPlatt, head: parts.head ? { dimension: parts.head.dimension, weights: floatsToBase64(parts.head.weights), intercepts: Array.from(parts.head.intercepts) } : null } : {}),
    }),
  };
}

// little-endian float32, as every platform Node runs on stores them
function floatsToBase64(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function floatsFromBase64(s: string): Float32Array {
  const buf = Buffer.from(s, 'base64');
  // Copy into a fresh, aligned buffer: Buffer.from(base64) may sit at an odd offset of a pool.
  return new Float32Array(new Uint8Array(buf).buffer);
}

export function loadIntentModel(json: unknown): IntentModel {
  const j = json as Record<string, unknown> | null;
  if (!j || j.format !== FORMAT || j.version !== 2) throw new Error('not a ticketmind intent model (format/version mismatch)');
  const labels = j.labels as string[];
  const dimension = Number(j.dimension);
  const weights = floatsFromBase64(String(j.weights));
  if (weights.length !== dimension * labels.length) throw new Error('intent model weights do not match labels × dimension');
  const vectorizer = TfidfVectorizer.fromJSON(j.vectorizer as Parameters<typeof TfidfVectorizer.fromJSON>[0]);
  const linear: LinearWeights = { classes: labels.length, dimension, weights, intercepts: Float32Array.from(j.intercepts as number[]) };
  const h = j.head as { dimension: number; weights: string; intercepts: number[] } | null | undefined;
  const head: LinearWeights | null = h ? { classes: labels.length, dimension: h.dimension, weights: floatsFromBase64(h.weights), intercepts: Float32Array.from(h.intercepts) } : null;
  if (head && head.weights.length !== head.dimension * labels.length) throw new Error('intent model sentence head does not match labels × dimension');
  return buildModel({
    labels, exampleCount: Number(j.exampleCount), vectorizer, linear, head,
    sentence: (j.sentence as SentenceOptions | undefined) ?? null,
    platt: j.platt as PlattParams, fusedPlatt: (j.fusedPlatt as PlattParams | undefined) ?? null,
    isotonic: j.isotonic as Isotonic | null, calibration: j.calibration as ModelParts['calibration'],
  });
}

function clausesOf(text: string): string[] {
  // A bounded number of clauses keeps a long mail's latency bounded; concerns come early.
  const clauses = splitClauses(text).slice(0, MAX_CLAUSES);
  return clauses.length > 1 ? clauses : [];
}

/**
 * The texts detectIntents would read a sentence vector for: the message and its first clauses,
 * English only (German keeps the TF-IDF features); none when the model reads no vectors.
 * The caller embeds them off the event loop and passes them to detectIntents.
 */
export function textsToEmbed(model: IntentModel, text: string): string[] {
  if (!model.sentence) return [];
  return [text, ...clausesOf(text).slice(0, MAX_EMBEDDED_CLAUSES)].filter((t) => looksEnglish(t));
}

/**
 * The intents of a customer message: those of the whole text above `threshold`, plus the best
 * intent of any single clause above `clauseThreshold` (a second concern in one sentence is
 * diluted in the whole-text score). Zero intents when nothing is confident: small talk, thanks.
 * `vectors` holds the sentence vectors of textsToEmbed(); a text without one is scored by TF-IDF.
 */
export function detectIntents(model: IntentModel, text: string, opts: DetectOptions = {}, vectors?: SentenceVectors): IntentPrediction[] {
  const o = { ...model.detectDefaults, ...opts };
  const found = new Map<string, number>();
  for (const p of model.predict(text, vectors?.get(text))) if (p.confidence >= o.threshold) found.set(p.code, p.confidence);
  for (const clause of clausesOf(text)) {
    const top = model.predict(clause, vectors?.get(clause))[0];
    if (top && top.confidence >= o.clauseThreshold && top.confidence > (found.get(top.code) ?? 0)) found.set(top.code, top.confidence);
  }
  return [...found]
    .map(([code, confidence]) => ({ code, confidence }))
    .sort((a, b) => b.confidence - a.confidence)
    .slice(0, o.maxIntents);
}
