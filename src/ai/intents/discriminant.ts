// A third scorer over the sentence vectors, beside the late-fusion SVM head: shrinkage linear
// discriminant analysis (one Gaussian per intent, one shared covariance). With ten examples per
// intent the SVM head sees each intent as a few points against all others; the discriminant also
// learns from every intent's spread which directions of the 512 vary *within* an intent (and so
// say little about which one it is). Alone it scores like the head (BANKING77 10-shot samples of
// the train split: 0.726–0.746 vs 0.731–0.740), and the two err differently (sentenceHead.ts).
//
// Scores are linear in the vector, so the result is a LinearWeights that decisionScores reads and
// the model serialises like the head. Cost: one 512×512 covariance and its Cholesky factor
// (~0.1 s), whatever the catalogue's size.

import type { LinearWeights } from './linearModel.js';

/**
 * Scores of the discriminant: w_c·x − ½ w_c·μ_c with w_c = Σ⁻¹μ_c and
 * Σ = (1 − shrinkage)·S + shrinkage·(tr S / D)·I, S the pooled within-intent covariance.
 * They are divided by their spread over the training vectors (the std of each vector's scores
 * around its own mean), so the fusion weight means the same for every catalogue. An intent
 * without any vector scores the lowest training score: it never wins on this part.
 */
export function trainDiscriminant(vectors: readonly (Float32Array | null | undefined)[], y: Int32Array, classes: number, shrinkage: number): LinearWeights | null {
  const xs: Float32Array[] = [];
  const labels: number[] = [];
  vectors.forEach((v, i) => {
    const c = y[i] ?? -1;
    if (!v || c < 0 || c >= classes) return;
    xs.push(v);
    labels.push(c);
  });
  const D = xs[0]?.length ?? 0;
  if (xs.length < 2 || D === 0 || xs.some((x) => x.length !== D)) return null;

  const count = new Float64Array(classes);
  const means = Array.from({ length: classes }, () => new Float64Array(D));
  xs.forEach((x, i) => {
    const m = means[labels[i]!]!;
    count[labels[i]!]!++;
    for (let k = 0; k < D; k++) m[k]! += x[k]!;
  });
  means.forEach((m, c) => {
    if (count[c]) for (let k = 0; k < D; k++) m[k]! /= count[c]!;
  });

  // Pooled within-intent scatter (upper triangle), then shrunk toward a multiple of I.
  const S = new Float64Array(D * D);
  const d = new Float64Array(D);
  xs.forEach((x, i) => {
    const m = means[labels[i]!]!;
    for (let k = 0; k < D; k++) d[k] = x[k]! - m[k]!;
    for (let a = 0; a < D; a++) {
      const da = d[a]!;
      if (da === 0) continue;
      const row = a * D;
      for (let b = a; b < D; b++) S[row + b]! += da * d[b]!;
    }
  });
  let trace = 0;
  for (let a = 0; a < D; a++) trace += S[a * D + a]! / xs.length;
  // A catalogue of identical vectors has no spread: the identity keeps the factor defined.
  const ridge = trace > 0 ? (shrinkage * trace) / D : 1;
  for (let a = 0; a < D; a++) {
    for (let b = a; b < D; b++) {
      const v = ((1 - shrinkage) * S[a * D + b]!) / xs.length + (a === b ? ridge : 0);
      S[a * D + b] = v;
      S[b * D + a] = v;
    }
  }
  if (!choleskyInPlace(S, D)) return null;

  const present = [...count.keys()].filter((c) => count[c]! > 0);
  const solved = new Map(present.map((c) => [c, solveCholesky(S, D, means[c]!)]));
  const raw = new Float64Array(classes);
  for (const c of present) {
    const w = solved.get(c)!;
    let s = 0;
    for (let k = 0; k < D; k++) s += w[k]! * means[c]![k]!;
    raw[c] = -0.5 * s;
  }
  const score = (x: Float32Array, c: number): number => {
    const w = solved.get(c)!;
    let s = raw[c]!;
    for (let k = 0; k < D; k++) s += w[k]! * x[k]!;
    return s;
  };
  let sq = 0;
  let n = 0;
  let lowest = Infinity;
  for (const x of xs) {
    const s = present.map((c) => score(x, c));
    const mean = s.reduce((a, b) => a + b, 0) / s.length;
    for (const v of s) {
      sq += (v - mean) ** 2;
      n++;
      lowest = Math.min(lowest, v);
    }
  }
  const spread = Math.sqrt(sq / Math.max(1, n)) || 1;

  const weights = new Float32Array(D * classes);
  const intercepts = new Float32Array(classes).fill(lowest / spread);
  for (const c of present) {
    const w = solved.get(c)!;
    for (let k = 0; k < D; k++) weights[k * classes + c] = w[k]! / spread;
    intercepts[c] = raw[c]! / spread;
  }
  return { classes, dimension: D, weights, intercepts };
}

/** Lower Cholesky factor of a symmetric positive definite D×D matrix, in place; false if not SPD. */
function choleskyInPlace(A: Float64Array, D: number): boolean {
  for (let j = 0; j < D; j++) {
    let s = A[j * D + j]!;
    for (let k = 0; k < j; k++) s -= A[j * D + k]! ** 2;
    if (!(s > 0)) return false;
    const l = Math.sqrt(s);
    A[j * D + j] = l;
    for (let i = j + 1; i < D; i++) {
      let t = A[i * D + j]!;
      for (let k = 0; k < j; k++) t -= A[i * D + k]! * A[j * D + k]!;
      A[i * D + j] = t / l;
    }
  }
  return true;
}

/** Solves L Lᵀ z = b with the factor from choleskyInPlace (its lower triangle). */
function solveCholesky(L: Float64Array, D: number, b: Float64Array): Float64Array {
  const z = Float64Array.from(b);
  for (let i = 0; i < D; i++) {
    let t = z[i]!;
    for (let k = 0; k < i; k++) t -= L[i * D + k]! * z[k]!;
    z[i] = t / L[i * D + i]!;
  }
  for (let i = D - 1; i >= 0; i--) {
    let t = z[i]!;
    for (let k = i + 1; k < D; k++) t -= L[k * D + i]! * z[k]!;
    z[i] = t / L[i * D + i]!;
  }
  return z;
}
