/**
 * Per-position voting across the reader's variants. The misses of whole-string voting are single
 * substitutions: most variants read one digit wrong somewhere, each at another place, so no
 * variant's string is right while every place is right in most variants. Here every read of the
 * register's length adds, place by place, its probability for each digit (ctc.ts keeps all ten);
 * the string of the winning digits is the reading, and each place's share of the votes says how
 * sure the reader is of it — the lowest share is what the confidence is calibrated on.
 */
import type { Read } from './candidates.js';

export interface PositionVote {
  digits: string;
  /** per place: the winning digit's share of all votes there, 0..1 */
  shares: number[];
  /** how many reads voted */
  voters: number;
}

/** A cell read (readCells.ts) counts less than a line read: single cells are read less reliably. */
const CELL_WEIGHT = 0.5;

/** Per place, the weighted share of each digit among the reads of `length` digits. */
function tallyOf(reads: Read[], length: number, weight: (r: Read) => number): { tally: number[][]; voters: number } | null {
  const voters = reads.filter((r) => r.digits.length === length && r.dists.length === length && weight(r) > 0);
  if (voters.length === 0 || length === 0) return null;
  const tally = Array.from({ length }, () => new Array<number>(10).fill(0));
  for (const r of voters) {
    const w = weight(r) * (r.cells ? CELL_WEIGHT : 1);
    for (let p = 0; p < length; p++) {
      const dist = r.dists[p] ?? [];
      const sum = dist.reduce((s, x) => s + x, 0) || 1;
      for (let d = 0; d < 10; d++) tally[p]![d]! += (w * (dist[d] ?? 0)) / sum;
    }
  }
  for (const t of tally) {
    const total = t.reduce((s, x) => s + x, 0) || 1;
    for (let d = 0; d < 10; d++) t[d] = (t[d] ?? 0) / total;
  }
  return { tally, voters: voters.length };
}

/** The string of the digits that win each place. */
export function voteByPosition(reads: Read[], length: number, weight: (r: Read) => number = () => 1): PositionVote | null {
  const t = tallyOf(reads, length, weight);
  if (!t) return null;
  let digits = '';
  const shares: number[] = [];
  for (const place of t.tally) {
    let best = 0;
    for (let d = 1; d < 10; d++) if ((place[d] ?? 0) > (place[best] ?? 0)) best = d;
    digits += String(best);
    shares.push(place[best] ?? 0);
  }
  return { digits, shares, voters: t.voters };
}

/** How much the reads support `digits` place by place: each place's share for its digit. */
export function supportByPosition(reads: Read[], digits: string, weight: (r: Read) => number = () => 1): PositionVote | null {
  const t = tallyOf(reads, digits.length, weight);
  if (!t) return null;
  return { digits, shares: [...digits].map((ch, p) => t.tally[p]?.[Number(ch)] ?? 0), voters: t.voters };
}
