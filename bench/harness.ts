import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon, { type Result } from 'autocannon';
import { cpuPerRequest, sampleCpu, type CpuPerRequest } from './cpu.js';

// The bench's shared parts: child servers, one autocannon scenario, a table row.

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
export const CONNECTIONS = 50;
export const WARM_SECONDS = Number(process.env.BENCH_WARM_SECONDS ?? 3);

export function startChild(script: string, args: string[], env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(root, script), args, {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.once('message', (m: { port: number }) => resolve({ child, port: m.port }));
    child.once('exit', (code, signal) => {
      // Also after start: a server that dies mid-run should say how, not only ECONNRESET.
      if (!child.killed) process.stderr.write(`\nbench: ${script} exited (code ${code}, signal ${signal})\n`);
      reject(new Error(`${script} exited with ${code ?? signal}`));
    });
  });
}

export type Measured = Result & { cpu: CpuPerRequest | null };

export async function run(title: string, url: string, body: (i: number) => string, headers: Record<string, string>, pid: number | undefined, connections = CONNECTIONS, duration = DURATION, pathOf?: (i: number) => string): Promise<Measured> {
  process.stderr.write(`\n${title}\n`);
  let i = 0;
  const before = sampleCpu(pid);
  const result = await autocannon({
    url,
    method: 'POST',
    connections,
    duration,
    headers: { 'content-type': 'application/json', ...headers },
    // pathOf spreads requests over several URLs on one server (PostgreSQL: many tickets).
    requests: [{ setupRequest: (req) => { const k = i++; return { ...req, body: body(k), ...(pathOf ? { path: pathOf(k) } : {}) }; } }],
    renderProgressBar: process.stderr.isTTY,
  } as autocannon.Options);
  const cpu = cpuPerRequest(before, sampleCpu(pid), result.requests.total);
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${title}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return Object.assign(result, { cpu });
}

/** What a table row needs: one autocannon result, or several run side by side (runMany). */
export interface Summary {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
}

export const row = (name: string, r: Summary, floor?: Summary) =>
  `${name.padEnd(34)} ${r.requests.average.toFixed(0).padStart(8)} req/s   p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(r.latency.p99).padStart(4)} ms` +
  (floor ? `   ${((100 * r.requests.average) / floor.requests.average).toFixed(0).padStart(3)}% of floor` : '');

/**
 * One scenario against several servers at once (one per API process), the connections split
 * between them: throughput is the sum; latency the worst of the parts' percentiles (autocannon
 * keeps no mergeable histogram), so the p50/p99 shown are upper bounds.
 */
export async function runMany(title: string, urls: string[], body: (i: number) => string, headers: Record<string, string>, connections = CONNECTIONS, duration = DURATION, pathOf?: (i: number) => string): Promise<Summary> {
  let i = 0;
  const parts = await Promise.all(urls.map((url, k) => run(`${title} [${k + 1}/${urls.length}]`, url, () => body(i++), headers, undefined, Math.max(1, Math.round(connections / urls.length)), duration, pathOf)));
  return {
    requests: { average: parts.reduce((s, p) => s + p.requests.average, 0), total: parts.reduce((s, p) => s + p.requests.total, 0) },
    latency: { p50: Math.max(...parts.map((p) => p.latency.p50)), p99: Math.max(...parts.map((p) => p.latency.p99)) },
  };
}
