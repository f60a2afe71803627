import { PROB_COLUMNS, type DigitProbs } from './engine.js';

export interface DecodedChar {
  digit: string;
  /** probability of this digit (max over the time-steps it spans) */
  p: number;
  /** first and last time-step of the character */
  t0: number;
  t1: number;
  /** per digit 0..9: its highest probability over the character's time-steps (for voting) */
  dist: number[];
}

export interface DecodedDigits {
  digits: string;
  chars: DecodedChar[];
  /** the digits split into numbers where a letter or symbol stands between them */
  runs: DecodedChar[][];
  /** mean digit probability (0 when none) */
  confidence: number;
  steps: number;
}

/**
 * Greedy CTC decoding restricted to {blank, 0..9}: at each time-step the best of blank and the ten
 * digits wins; "other" characters (letters, punctuation) are ignored unless they dominate strongly,
 * in which case they act as a separator (like a blank).
 */
export function decodeDigits(r: DigitProbs): DecodedDigits {
  const chars: DecodedChar[] = [];
  const runs: DecodedChar[][] = [];
  let run: DecodedChar[] = [];
  let prev = -1;
  for (let t = 0; t < r.steps; t++) {
    if (r.breaks[t]) {
      if (run.length) runs.push(run);
      run = [];
      prev = -1;
      continue;
    }
    const row = t * PROB_COLUMNS;
    let label = -1;
    let best = r.probs[row] ?? 0;
    for (let d = 0; d < 10; d++) {
      const p = r.probs[row + 1 + d] ?? 0;
      if (p > best) {
        best = p;
        label = d;
      }
    }
    const other = r.probs[row + 11] ?? 0;
    if (label >= 0 && other > 0.8) label = -1;
    if (label >= 0) {
      const last = chars[chars.length - 1];
      if (label === prev && last) {
        last.t1 = t;
        if (best > last.p) last.p = best;
        for (let d = 0; d < 10; d++) last.dist[d] = Math.max(last.dist[d] ?? 0, r.probs[row + 1 + d] ?? 0);
      } else {
        const dist = Array.from({ length: 10 }, (_, d) => r.probs[row + 1 + d] ?? 0);
        const c = { digit: String(label), p: best, t0: t, t1: t, dist };
        chars.push(c);
        run.push(c);
      }
    }
    prev = label;
  }
  if (run.length) runs.push(run);
  const digits = chars.map((c) => c.digit).join('');
  const confidence = chars.length ? chars.reduce((s, c) => s + c.p, 0) / chars.length : 0;
  return { digits, chars, runs, confidence, steps: r.steps };
}

/**
 * For an image that holds one digit: the score of each digit 0..9 = its highest probability over
 * all time-steps. Returns 10 numbers.
 */
export function singleDigitScores(r: DigitProbs): number[] {
  const scores = new Array<number>(10).fill(0);
  for (let t = 0; t < r.steps; t++) {
    const row = t * PROB_COLUMNS;
    for (let d = 0; d < 10; d++) {
      const p = r.probs[row + 1 + d] ?? 0;
      if (p > (scores[d] ?? 0)) scores[d] = p;
    }
  }
  return scores;
}
