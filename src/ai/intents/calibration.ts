// Turning held-out evidence into confidences and a threshold a customer can trust.
//
// The SVM's Platt sigmoid is fitted one-vs-rest over every (text, label) pair; what a customer
// sees is the top intent of a message, and "0.8" should mean right about 80% of the time for
// *that*. So the top-1 confidences of held-out texts (each scored by a fold model that never saw
// it) are recalibrated by isotonic regression, and the assignment threshold is the lowest
// confidence at which the held-out top-1 choices are still right at the target precision.
// Both are fitted from the customer's own catalogue, so they follow its catalogue, not ours.

export interface HeldOut {
  /** the top-1 confidence before recalibration */
  p: number;
  correct: boolean;
}

/** A monotone step function: value ys[i] for p in [xs[i], xs[i+1]). */
export interface Isotonic {
  xs: number[];
  ys: number[];
}

export interface ThresholdChoice {
  threshold: number;
  /** held-out precision and coverage (share of texts given an intent) at that threshold */
  precision: number | null;
  coverage: number | null;
  heldOut: number;
  /** 'held-out' when chosen from evidence; 'default' when too few held-out texts to trust */
  source: 'held-out' | 'default';
}

/** Fewer held-out texts than this give a threshold that is mostly noise. */
export const MIN_HELD_OUT = 30;
const MAX_STEPS = 64;

/**
 * Pool-adjacent-violators on (p, correct) sorted by p: the non-decreasing step function closest
 * to the outcomes in squared error. Steps are merged down to MAX_STEPS so the model stays small.
 */
export function fitIsotonic(rows: readonly HeldOut[]): Isotonic | null {
  if (rows.length < MIN_HELD_OUT) return null;
  const sorted = [...rows].sort((a, b) => a.p - b.p);
  const blocks: { x: number; sum: number; n: number }[] = [];
  for (const r of sorted) {
    blocks.push({ x: r.p, sum: r.correct ? 1 : 0, n: 1 });
    while (blocks.length > 1) {
      const b = blocks[blocks.length - 1]!;
      const a = blocks[blocks.length - 2]!;
      if (a.sum / a.n < b.sum / b.n) break;
      a.sum += b.sum;
      a.n += b.n;
      blocks.pop();
    }
  }
  // Merge the smallest neighbours until few steps remain (keeps monotonicity: merging two
  // adjacent non-decreasing blocks gives a value between theirs).
  while (blocks.length > MAX_STEPS) {
    let best = 0;
    for (let i = 1; i < blocks.length - 1; i++) if (blocks[i]!.n + blocks[i + 1]!.n < blocks[best]!.n + blocks[best + 1]!.n) best = i;
    const a = blocks[best]!;
    const b = blocks[best + 1]!;
    a.sum += b.sum;
    a.n += b.n;
    blocks.splice(best + 1, 1);
  }
  // Shrink each step toward 0.5 a little (add-one smoothing): a step of 3 right answers must not
  // claim certainty.
  return { xs: blocks.map((b, i) => (i === 0 ? 0 : b.x)), ys: blocks.map((b) => (b.sum + 0.5) / (b.n + 1)) };
}

export function applyIsotonic(iso: Isotonic | null, p: number): number {
  if (!iso || iso.xs.length === 0) return p;
  let lo = 0;
  let hi = iso.xs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (iso.xs[mid]! <= p) lo = mid;
    else hi = mid - 1;
  }
  return iso.ys[lo]!;
}

/**
 * The lowest threshold whose held-out assignments (top-1 confidence ≥ threshold) are right at
 * least `target` of the time: the widest coverage that keeps the promised precision. When even the
 * most confident texts miss the target, the threshold is their confidence (assign only those).
 */
export function chooseThreshold(rows: readonly HeldOut[], target: number, fallback: number): ThresholdChoice {
  if (rows.length < MIN_HELD_OUT) return { threshold: fallback, precision: null, coverage: null, heldOut: rows.length, source: 'default' };
  const sorted = [...rows].sort((a, b) => b.p - a.p);
  let right = 0;
  let bestK = 0;
  for (let k = 1; k <= sorted.length; k++) {
    if (sorted[k - 1]!.correct) right++;
    // Only where the next text has a lower confidence: a threshold cannot split equal values.
    const boundary = k === sorted.length || sorted[k]!.p < sorted[k - 1]!.p;
    if (boundary && right / k >= target) bestK = k;
  }
  if (bestK === 0) bestK = 1;
  const threshold = sorted[bestK - 1]!.p;
  const taken = sorted.filter((r) => r.p >= threshold);
  return {
    threshold,
    precision: taken.filter((r) => r.correct).length / taken.length,
    coverage: taken.length / sorted.length,
    heldOut: sorted.length,
    source: 'held-out',
  };
}

/** Expected calibration error over 10 equal-width bins: how far "0.8" is from right 80% of the time. */
export function expectedCalibrationError(rows: readonly HeldOut[]): number {
  const bins = Array.from({ length: 10 }, () => ({ n: 0, p: 0, hits: 0 }));
  for (const r of rows) {
    const bin = bins[Math.min(9, Math.floor(r.p * 10))];
    if (!bin) continue;
    bin.n++;
    bin.p += r.p;
    bin.hits += r.correct ? 1 : 0;
  }
  return bins.reduce((sum, b) => sum + (b.n ? Math.abs(b.p - b.hits) : 0), 0) / Math.max(1, rows.length);
}
