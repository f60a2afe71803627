/**
 * Choosing the meter reading among everything the recogniser read in a photo.
 *
 * Each read is one (region, preprocessing variant) pair. Reads of the same digit string vote;
 * a candidate's score combines its confidence, how many variants agree, how large its digits are
 * compared with the largest digits in the photo (the register is usually the largest text), and
 * its shape: meter registers have 4–10 digits (5–8 most often) at an even spacing; serial
 * numbers are labelled ("Nr. 1ESY…"), often longer, and in smaller print; unit labels ("kWh",
 * "m³") are split off the register by the decoder and read as no or 1–2 digits.
 */

export interface Read {
  digits: string;
  /** mean digit probability 0..1 */
  confidence: number;
  /** lowest digit probability */
  minConfidence: number;
  /** which region of the photo (index), and its text height in pixels */
  region: number;
  regionHeight: number;
  /** the same line decoded over the full dictionary (letters, separators) */
  fullText: string;
  /** decimal separator position in `digits` (number of integer digits), if one was read */
  decimalAt?: number;
  variant: string;
  /** per digit: its probability */
  probs: number[];
  /** per digit: its centre in the recogniser's time-steps (≈ 8 px of the 48-px-high line) */
  centres: number[];
  /** per digit: the probability of each digit 0..9 at its place (see ctc.ts) */
  dists: number[][];
  /** read cell by cell (readCells.ts) rather than as one line */
  cells?: boolean;
}

export interface Candidate {
  digits: string;
  score: number;
  /** 0..1 */
  confidence: number;
  votes: number;
  decimalAt?: number;
  reads: Read[];
}

/** Meter registers show 4–10 digits: the digit-count plausibility rule. */
export const MIN_DIGITS = 4;
export const MAX_DIGITS = 10;

/** Prior for a register of n digits (gas/water/electricity meters show 5–8 digits). */
function lengthPrior(n: number): number {
  if (n < 3 || n > 12) return 0;
  if (n < MIN_DIGITS) return 0.3;
  if (n > MAX_DIGITS) return 0.2;
  if (n >= 5 && n <= 8) return 1;
  return 0.8;
}

/** Penalty for a line that is labelled as a serial / type number rather than a register. */
function textPrior(read: Read): number {
  if (/(^|[^a-z])(nr|no|n°|serial|s\/n|typ|type|fabr)([^a-z]|$)/i.test(read.fullText)) return 0.3;
  return 1;
}

/**
 * Meter digits are evenly spaced. A read whose gaps between neighbouring digits are uneven has
 * most likely merged two equal digits ("44" read as "4") or skipped one: 1 = regular, less = not.
 */
export function spacingPrior(centres: number[]): number {
  if (centres.length < 4) return 1;
  const gaps: number[] = [];
  for (let i = 1; i < centres.length; i++) gaps.push((centres[i] ?? 0) - (centres[i - 1] ?? 0));
  const sorted = [...gaps].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 1;
  if (median <= 0) return 1;
  let factor = 1;
  for (const g of gaps) if (g > 1.6 * median) factor *= 0.75;
  return factor;
}

export function chooseReading(reads: Read[]): { best: Candidate | null; candidates: Candidate[] } {
  const valid = reads.filter((r) => r.digits.length > 0);
  if (valid.length === 0) return { best: null, candidates: [] };
  const maxHeight = Math.max(...valid.filter((r) => r.digits.length >= MIN_DIGITS).map((r) => r.regionHeight), 1);

  const groups = new Map<string, Read[]>();
  for (const r of valid) {
    const list = groups.get(r.digits);
    if (list) list.push(r);
    else groups.set(r.digits, [r]);
  }
  const total = valid.length;
  const candidates: Candidate[] = [];
  for (const [digits, rs] of groups) {
    const bestConf = Math.max(...rs.map((r) => r.confidence));
    const meanConf = rs.reduce((s, r) => s + r.confidence, 0) / rs.length;
    const meanMin = rs.reduce((s, r) => s + r.minConfidence, 0) / rs.length;
    const size = Math.max(...rs.map((r) => Math.min(1, r.regionHeight / maxHeight)));
    const text = Math.max(...rs.map(textPrior));
    const spacing = Math.max(...rs.map((r) => spacingPrior(r.centres)));
    const votes = rs.length;
    // reads of a shorter part of this string support it too (a region that missed an edge
    // digit), provided the extra digits of this candidate are themselves read confidently
    let supportSum = rs.reduce((s, r) => s + r.confidence, 0);
    const minP = Math.max(...rs.map((r) => r.minConfidence));
    if (minP >= 0.6) {
      for (const [other, ors] of groups) {
        if (other !== digits && other.length >= digits.length - 2 && digits.includes(other)) {
          supportSum += ors.reduce((s, r) => s + r.confidence, 0);
        }
      }
    }
    const support = supportSum / total;
    const score =
      lengthPrior(digits.length) *
      text *
      spacing *
      (0.5 + 0.5 * Math.sqrt(size)) *
      (0.45 * bestConf + 0.25 * meanMin + 0.3 * Math.min(1, support * 2));
    const decimals = rs.map((r) => r.decimalAt).filter((d): d is number => d !== undefined);
    const decimalAt = decimals.length * 2 > rs.length ? decimals[0] : undefined;
    candidates.push({
      digits,
      score,
      confidence: Math.max(0, Math.min(1, 0.6 * meanConf + 0.4 * meanMin)),
      votes,
      ...(decimalAt !== undefined ? { decimalAt } : {}),
      reads: rs,
    });
  }
  candidates.sort((a, b) => b.score - a.score);
  return { best: candidates[0] ?? null, candidates };
}

/** The numeric value of a digit string, with a decimal part if a separator was read. */
export function meterValueOf(digits: string, decimalAt?: number): number {
  if (decimalAt !== undefined && decimalAt > 0 && decimalAt < digits.length) {
    return Number(`${digits.slice(0, decimalAt)}.${digits.slice(decimalAt)}`);
  }
  return Number(digits);
}
