import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { measureDrain } from './drain.js';
import { startChild } from './harness.js';
import { sampleCpu, type CpuSample } from './cpu.js';
import { renderMeterImage } from '../src/ai/ocr/renderMeterImage.js';

// The bench's meter-photo scenario (`npm run bench -- --only meter` runs it alone): batch jobs
// with one photo each drained by the worker (images/s), then realtime stores with one photo, one
// at a time (what a customer waits for). Both on fresh databases, so that no leftover text job is
// timed with them.

export interface MeterBench {
  /** cpuMsPerImage: the service process, all its threads (null off Linux) */
  drain: { done: number; seconds: number; perSecond: number; cpuMsPerImage: number | null };
  realtime: { p50: number; max: number; n: number };
}

const DIGITS = ['0012345', '0047110', '0815000', '0203040'];
const PHOTOS = 8;
const REALTIME_REQUESTS = 9;

interface StoreAnswer { pending?: string[]; conversation: { attachments: Array<{ extractionStatus: string }> } }

/** A fresh bench service, an API key and a ticket on it, and a store of photo `i` there. */
async function photoService(dir: string, name: string, children: ChildProcess[], photos: Buffer[]) {
  const svc = await startChild('bench/serviceServer.ts', [path.join(dir, name)], {});
  children.push(svc.child);
  const base = `http://127.0.0.1:${svc.port}`;
  const key = `Bearer ${(await (await fetch(`${base}/bench/key`)).json() as { token: string }).token}`;
  const ticket = (await (await fetch(`${base}/bench/ticket`)).json() as { id: number }).id;
  const store = async (process: string, i: number): Promise<StoreAnswer> => {
    const res = await fetch(`${base}/api/mind/ticket/${ticket}/conversation/store`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: key },
      body: JSON.stringify({ process, body: 'Foto', attachments: [{ name: `z${i}.jpg`, base64: photos[i % photos.length]!.toString('base64') }] }),
    });
    if (!res.ok) throw new Error(`storing meter photo ${i} (${process}): ${res.status} ${await res.text()}`);
    return res.json() as Promise<StoreAnswer>;
  };
  return { child: svc.child, base, store };
}

export async function benchMeterPhotos(dir: string, children: ChildProcess[]): Promise<MeterBench> {
  const photos = await Promise.all(DIGITS.map((d) => renderMeterImage(d, { style: 'drum' })));
  const svc = await photoService(dir, 'ocr', children, photos);
  for (let i = 0; i < PHOTOS; i++) await svc.store('batch', i);
  const before = sampleCpu(svc.child.pid);
  const drained = await measureDrain(svc.base, 'batch drain (meter photos)', 120, () => fetch(`${svc.base}/bench/start-worker`));
  const drain = { ...drained, cpuMsPerImage: cpuMs(before, sampleCpu(svc.child.pid), drained.done) };
  svc.child.kill();

  // Realtime: the answer waits for the photo's reading. The worker is off, so that nothing else
  // runs beside it; the first request (model load) is not counted.
  const rt = await photoService(dir, 'ocr-realtime', children, photos);
  const times: number[] = [];
  process.stderr.write('\nrealtime store with one meter photo\n');
  for (let i = 0; i <= REALTIME_REQUESTS; i++) {
    const t0 = performance.now();
    const answer = await rt.store('realtime', i);
    const ms = performance.now() - t0;
    // A reading held for confirmation is an answer too: what is timed is that the store waited for it.
    const status = answer.conversation.attachments[0]?.extractionStatus;
    if (answer.pending?.length || (status !== 'success' && status !== 'needsConfirmation')) {
      throw new Error(`realtime meter photo ${i}: not read in the answer (${JSON.stringify(answer.pending)}, ${status})`);
    }
    if (i > 0) times.push(ms);
  }
  rt.child.kill();
  times.sort((a, b) => a - b);
  return { drain, realtime: { p50: times[Math.floor(times.length / 2)] ?? 0, max: times[times.length - 1] ?? 0, n: times.length } };
}

function cpuMs(a: CpuSample | null, b: CpuSample | null, n: number): number | null {
  if (!a || !b || n === 0) return null;
  return ((b.eventLoopTicks + b.otherTicks - a.eventLoopTicks - a.otherTicks) * 10) / n;
}

export function formatMeterBench(m: MeterBench): string {
  return `batch drain, meter photos: ${m.drain.perSecond.toFixed(2)} images/s (${m.drain.done} in ${m.drain.seconds.toFixed(1)} s` +
    `${m.drain.cpuMsPerImage !== null ? `, ${m.drain.cpuMsPerImage.toFixed(0)} ms CPU per image incl. the first one's model load` : ''})\n` +
    `realtime store, one meter photo: p50 ${m.realtime.p50.toFixed(0)} ms, max ${m.realtime.max.toFixed(0)} ms (${m.realtime.n} requests one at a time)`;
}
