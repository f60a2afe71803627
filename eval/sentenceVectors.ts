// Sentence vectors of the benchmark texts, kept in eval/out so a second eval run does not spend
// the ~5 minutes of CPU that embedding BANKING77 (13k texts) costs here. Keyed by the text
// itself; a text missing from the file is embedded and the file rewritten.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadSentenceEncoder, SENTENCE_DIMENSIONS, type SentenceEncoder } from '../src/ai/intents/sentenceEncoder.js';
import { outDir } from './precisionCoverage.js';
import { progress } from './progress.js';

const file = path.join(outDir, 'sentence-vectors.bin');
let vectors: Map<string, Float32Array> | null = null;
let encoder: Promise<SentenceEncoder | null> | null = null;

/** Format: repeated [u32 byte length of text][utf8 text][512 × f32]. */
function read(): Map<string, Float32Array> {
  const map = new Map<string, Float32Array>();
  if (!existsSync(file)) return map;
  const buf = readFileSync(file);
  let p = 0;
  while (p + 4 <= buf.length) {
    const n = buf.readUInt32LE(p);
    const text = buf.toString('utf8', p + 4, p + 4 + n);
    p += 4 + n;
    const v = new Float32Array(SENTENCE_DIMENSIONS);
    for (let k = 0; k < SENTENCE_DIMENSIONS; k++) v[k] = buf.readFloatLE(p + 4 * k);
    p += 4 * SENTENCE_DIMENSIONS;
    map.set(text, v);
  }
  return map;
}

function write(map: Map<string, Float32Array>): void {
  const parts: Buffer[] = [];
  for (const [text, v] of map) {
    const t = Buffer.from(text, 'utf8');
    const head = Buffer.alloc(4);
    head.writeUInt32LE(t.length);
    parts.push(head, t, Buffer.from(v.buffer, v.byteOffset, v.byteLength));
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(file, Buffer.concat(parts));
}

export function evalEncoder(): Promise<SentenceEncoder | null> {
  encoder ??= loadSentenceEncoder();
  return encoder;
}

/** Vectors of `texts` (null when the encoder is not installed). */
export async function sentenceVectors(texts: readonly string[], label: string): Promise<Map<string, Float32Array> | null> {
  vectors ??= read();
  const missing = [...new Set(texts.filter((t) => !vectors!.has(t)))];
  if (missing.length) {
    const enc = await evalEncoder();
    if (!enc) return null;
    const bar = progress(`sentence vectors ${label}`, missing.length);
    for (let i = 0; i < missing.length; i += 64) {
      const batch = missing.slice(i, i + 64);
      const got = await enc.embed(batch);
      batch.forEach((t, k) => vectors!.set(t, got[k]!));
      for (let k = 0; k < batch.length; k++) bar.tick();
    }
    bar.done();
    write(vectors);
  }
  return vectors;
}
