/**
 * Reads the register (the consumption value) from a photo of a gas, water or electricity meter,
 * offline: PaddleOCR models shipped in npm (`@gutenye/ocr-node`), run by onnxruntime-node, with
 * sharp for preprocessing. The OCR packages are optional dependencies: without them `readMeter`
 * answers `{ status: 'failed', reason: 'ocr engine not installed' }`.
 *
 * Method:
 *  1. EXIF-rotate and size-limit the photo.
 *  2. Find candidate text regions: PaddleOCR's detector on the photo surrounded by a white border
 *     (it misses digits that fill the frame otherwise) — each detected line is read as detected
 *     and widened by about a digit on each side (the detector often stops short of an edge
 *     digit) — plus the whole image when it is already a tight, wide crop of a display.
 *  3. Straighten each region (rotate by the detected text angle) and read it as one line with the
 *     recogniser, decoding digits only, in several variants: colour and grey, both polarities,
 *     two input normalisations.
 *  4. Choose the reading by votes, confidence, digit size and shape (digit count; serial numbers
 *     and labels are penalised) — see candidates.ts.
 */
import { chooseReading, meterValueOf, type Candidate, type Read } from './candidates.js';
import { decodeDigits } from './ctc.js';
import { getOcrEngine, type OcrEngine, type RecNorm } from './engine.js';
import {
  cropRegion,
  forDetection,
  lineImage,
  prepare,
  regionFromBox,
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

export type MeterReadResult =
  | { status: 'success'; reading: MeterReading }
  | { status: 'failed'; reason: string };

/** Readings below this confidence are reported as failed (the caller can ask the customer). */
export const MIN_CONFIDENCE = 0.5;

/** At most this many detector regions are read (the largest text first). */
const MAX_REGIONS = 6;

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
  for (const [index, region] of regions.entries()) {
    reads.push(...(await readRegion(engine, img, region, index)));
  }
  const { best, candidates } = chooseReading(reads);
  if (!best) return { result: { status: 'failed', reason: 'no digits found' }, regions, candidates };
  if (best.confidence < MIN_CONFIDENCE) {
    return {
      result: { status: 'failed', reason: `low confidence (${best.confidence.toFixed(2)}) for ${best.digits}` },
      regions,
      candidates,
    };
  }
  return {
    result: {
      status: 'success',
      reading: {
        meterValue: meterValueOf(best.digits, best.decimalAt),
        digits: best.digits,
        confidence: Number(best.confidence.toFixed(3)),
      },
    },
    regions,
    candidates,
  };
}

/** Extra width read on each side of a detected line, as a fraction of its height. */
const EXTEND = 0.6;

const DIGITLIKE = /[0-9OoDQIl|SsBZ]/g;

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

  const det = await forDetection(img);
  const lines = await engine.detect(det.buffer);
  const map = (p: [number, number]): [number, number] => [
    (p[0] - det.offset) / det.scale,
    (p[1] - det.offset) / det.scale,
  ];
  const found: Region[] = [];
  for (const line of lines) {
    const digitLike = (line.text.match(DIGITLIKE) ?? []).length;
    if (digitLike < 2) continue;
    const r = regionFromBox(line.box, map);
    if (!r) continue;
    found.push({ ...r, text: line.text, confidence: line.confidence });
  }
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

async function readRegion(engine: OcrEngine, img: Prepared, region: Region, index: number): Promise<Read[]> {
  // the detector's boxes are already expanded around the text (PaddleOCR "unclip"); extra margin
  // makes the digits smaller in the recogniser's 48-pixel line and costs accuracy
  const crop = await cropRegion(img, region, 0, 0);
  const reads: Read[] = [];
  for (const v of VARIANTS) {
    const line = await lineImage(crop, v.style, v.stretch);
    const probs = await engine.recognize(line, v.norm);
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
      });
    }
  }
  return reads;
}

/** A decimal separator read between digits ("12345.67", "12345,678"): the integer digit count. */
function findDecimal(fullText: string, digits: string): number | undefined {
  const m = /^\D*(\d+)[.,](\d{1,3})\D*$/.exec(fullText.replace(/\s+/g, ''));
  if (!m || !m[1] || !m[2]) return undefined;
  if (m[1].length + m[2].length !== digits.length) return undefined;
  return m[1].length;
}
