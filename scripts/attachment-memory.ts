import { fork } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Peak memory of the service while it stores one 20 MB attachment sent as base64.
// The service runs in a child process; its peak RSS (VmHWM) is read before and after.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SIZE = Number(process.env.ATTACHMENT_MB ?? 20) * 1024 * 1024;

const vm = (pid: number, key: 'VmHWM' | 'VmRSS'): number => {
  const line = fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(key))!;
  return Number(line.replace(/\D+/g, '')) * 1024;
};
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-mem-'));
const child = fork(path.join(root, 'bench/serviceServer.ts'), [dir], {
  execArgv: ['--import', 'tsx', '--expose-gc'],
  env: { ...process.env, BODY_LIMIT_BYTES: String(64 * 1024 * 1024), ATTACHMENT_MAX_BYTES: String(64 * 1024 * 1024) },
  stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
});
try {
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  const base = `http://127.0.0.1:${port}`;
  const { token } = (await (await fetch(`${base}/bench/key`)).json()) as { token: string };
  const { id } = (await (await fetch(`${base}/bench/ticket`)).json()) as { id: number };
  const body = JSON.stringify({ process: 'false', body: 'Anbei die Datei', attachments: [{ name: 'big.bin', base64: crypto.randomBytes(SIZE).toString('base64') }] });
  // Warm the route with a small request so code loading is not counted.
  await fetch(`${base}/api/mind/ticket/${id}/conversation/store`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ body: 'warm-up' }) });
  await new Promise((r) => setTimeout(r, 500));
  // Start-up (model training, sharp) leaves a peak far above the idle RSS that would hide most of
  // the growth; Linux resets the peak to the current RSS on writing 5 to clear_refs.
  let reset = true;
  try {
    fs.writeFileSync(`/proc/${child.pid}/clear_refs`, '5');
  } catch {
    reset = false;
  }
  const rssBefore = vm(child.pid!, 'VmRSS');
  const peakBefore = vm(child.pid!, 'VmHWM');
  process.stderr.write(`storing a ${mb(SIZE)} attachment (${mb(body.length)} JSON body)…\n`);
  const res = await fetch(`${base}/api/mind/ticket/${id}/conversation/store`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
  if (res.status !== 200) throw new Error(`store failed: ${res.status} ${await res.text()}`);
  const peakAfter = vm(child.pid!, 'VmHWM');
  const growth = peakAfter - Math.max(peakBefore, rssBefore);
  console.log(`file ${mb(SIZE)}; RSS before ${mb(rssBefore)}; peak before ${mb(peakBefore)}; peak after ${mb(peakAfter)}`);
  console.log(`peak growth while storing: ${mb(growth)} = ${(growth / SIZE).toFixed(2)}× the file size (target ≤ ~3×)${reset ? '' : ' (start-up peak not reset: the growth may be understated)'}`);
} finally {
  child.kill();
  fs.rmSync(dir, { recursive: true, force: true });
}
