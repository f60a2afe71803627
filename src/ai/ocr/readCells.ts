/**
 * Reading a segmented display digit by digit. Meter registers are rows of separate cells (drums
 * behind windows, LCD digits): a line reader sees a neighbour's edge or a half-rolled drum and
 * substitutes a digit, or merges two equal digits. Here each digit's cell — cut where the line
 * read placed its digits, halfway between neighbouring centres — is recognised alone, on a plain
 * canvas of its own edge colour, so nothing of its neighbours is in view. The result is one more
 * read per variant, with a probability for every digit at every place, for the per-position vote
 * (candidates.ts).
 */
import type { Read } from './candidates.js';
import { singleDigitScores } from './ctc.js';
import type { OcrEngine, RawImage, RecNorm } from './engine.js';

export interface CellLine {
  image: RawImage;
  norm: RecNorm;
  /** the variant's name, e.g. "detector:grey/unit" */
  variant: string;
}

/** Digits this far apart (in pitches) or more are not neighbouring cells of one display. */
const MAX_PITCH_SPREAD = 1.6;

/**
 * Reads the cells of `base` (a read of this region with 4–10 evenly spaced digits) in each of
 * `lines` (the region's variants, all of one size). `stepPx`: pixels of the line per recogniser
 * time-step. Returns no reads when the digits are not evenly spaced (not one segmented row).
 */
export async function readCells(engine: OcrEngine, lines: CellLine[], base: Read, stepPx: number): Promise<Read[]> {
  const first = lines[0];
  if (!first || base.digits.length < 4 || base.digits.length > 10) return [];
  const width = first.image.width;
  const centres = base.centres.map((c) => (c + 0.5) * stepPx);
  const gaps = centres.slice(1).map((c, i) => c - (centres[i] ?? 0));
  const pitch = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)] ?? 0;
  if (pitch < 6 || gaps.some((g) => g > MAX_PITCH_SPREAD * pitch || g < pitch / MAX_PITCH_SPREAD)) return [];
  const bounds = [Math.max(0, (centres[0] ?? 0) - pitch / 2)];
  for (let i = 1; i < centres.length; i++) bounds.push(((centres[i - 1] ?? 0) + (centres[i] ?? 0)) / 2);
  bounds.push(Math.min(width, (centres[centres.length - 1] ?? 0) + pitch / 2));
  const cells = centres.map((_, i) => [Math.round(bounds[i] ?? 0), Math.round(bounds[i + 1] ?? 0)] as const);
  const canvasWidth = Math.max(32, Math.ceil(Math.max(...cells.map(([a, b]) => b - a)) + 24));

  const batch: Array<{ image: RawImage; norm: RecNorm }> = [];
  for (const line of lines) for (const [a, b] of cells) batch.push({ image: onCanvas(line.image, a, b, canvasWidth), norm: line.norm });
  const results = await engine.recognize(batch);

  const reads: Read[] = [];
  for (const [li, line] of lines.entries()) {
    const dists = cells.map((_, ci) => singleDigitScores(results[li * cells.length + ci]!));
    const best = dists.map((d) => d.indexOf(Math.max(...d)));
    const probs = best.map((d, i) => dists[i]![d] ?? 0);
    reads.push({
      digits: best.join(''),
      confidence: probs.reduce((s, p) => s + p, 0) / probs.length,
      minConfidence: Math.min(...probs),
      region: base.region,
      regionHeight: base.regionHeight,
      fullText: base.fullText,
      variant: line.variant.replace(':', ':cells/'),
      probs,
      centres: base.centres,
      dists,
      cells: true,
    });
  }
  return reads;
}

/** Columns [a, b) of a line on a canvas of `width` filled with the cell's mean edge colour. */
function onCanvas(line: RawImage, a: number, b: number, width: number): RawImage {
  const { height, channels, data } = line;
  const out = new Uint8Array(width * height * channels);
  const fill = new Array<number>(channels).fill(0);
  for (let y = 0; y < height; y++) {
    for (let c = 0; c < channels; c++) {
      fill[c]! += (data[(y * line.width + a) * channels + c] ?? 0) + (data[(y * line.width + Math.max(a, b - 1)) * channels + c] ?? 0);
    }
  }
  for (let c = 0; c < channels; c++) fill[c] = Math.round(fill[c]! / (2 * height));
  const left = Math.floor((width - (b - a)) / 2);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = x - left + a;
      const inside = sx >= a && sx < b;
      for (let c = 0; c < channels; c++) {
        out[(y * width + x) * channels + c] = inside ? (data[(y * line.width + sx) * channels + c] ?? 0) : fill[c]!;
      }
    }
  }
  return { data: out, width, height, channels };
}
