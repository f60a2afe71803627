// Worker-thread entry of the serving encoder (encoderThread.ts): loads the sentence encoder once,
// says whether that worked, then embeds each batch it is sent and posts the vectors back as one
// transferred Float32Array (texts × SENTENCE_DIMENSIONS).

import { parentPort } from 'node:worker_threads';
import { loadSentenceEncoder, SENTENCE_DIMENSIONS } from './sentenceEncoder.js';

export interface EncodeRequest {
  id: number;
  texts: string[];
}

export type EncoderMessage =
  | { ready: true; ok: boolean }
  | { id: number; ok: true; vectors: Float32Array }
  | { id: number; ok: false; error: string };

const port = parentPort;
if (port) {
  const encoder = await loadSentenceEncoder();
  port.postMessage({ ready: true, ok: encoder !== null } satisfies EncoderMessage);
  port.on('message', (req: EncodeRequest) => {
    if (!encoder) return;
    encoder.embed(req.texts).then(
      (vs) => {
        const out = new Float32Array(vs.length * SENTENCE_DIMENSIONS);
        vs.forEach((v, i) => out.set(v, i * SENTENCE_DIMENSIONS));
        port.postMessage({ id: req.id, ok: true, vectors: out } satisfies EncoderMessage, [out.buffer]);
      },
      (err: unknown) => port.postMessage({ id: req.id, ok: false, error: String(err) } satisfies EncoderMessage),
    );
  });
}
