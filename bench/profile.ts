import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { sampleHtml } from './sampleHtml.js';
import { cpuPerRequest, formatCpu, sampleCpu } from './cpu.js';
import { admin, databaseUrl, serverUrl } from './postgres.js';

// npx tsx bench/profile.ts [false|batch|given] [seconds] [--db postgres [--database-url URL]]:
// the bench's service under --cpu-prof while autocannon stores 2 KB HTML messages (50
// connections), then where the server's main thread spent its time, by module and by function,
// as µs per request. The profile is kept (path printed) for Chrome DevTools. On PostgreSQL the
// service runs on a fresh database of the server (dropped at the end); what the backends spend
// is not in the profile (npm run bench -- --db postgres measures it).

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
const mode = args[0] ?? 'false';
const seconds = Number(args[1] ?? 8);
const onPostgres = process.argv.includes('--db') && process.argv[process.argv.indexOf('--db') + 1] === 'postgres';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-profile-'));
const profDir = path.join(dir, 'prof');

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

function where(url: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const own = /\/(src|bench)\/(.+)$/.exec(url);
  if (own) return `${own[1]}/${own[2]}`;
  if (url.startsWith('node:')) return url;
  return url ? path.basename(url) : '(native/V8)';
}

async function main() {
  const database = `tm_profile_${process.pid}`;
  const server = serverUrl();
  if (onPostgres) await admin(server, `create database ${database}`);
  const child = fork(path.join(root, onPostgres ? 'bench/pgServiceServer.ts' : 'bench/serviceServer.ts'), [path.join(dir, 'svc'), ...(onPostgres ? [databaseUrl(server, database)] : [])], {
    execArgv: ['--import', 'tsx', '--cpu-prof', `--cpu-prof-dir=${profDir}`],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  const base = `http://127.0.0.1:${port}`;
  const auth = `Bearer ${((await (await fetch(`${base}/bench/key`)).json()) as { token: string }).token}`;
  const ticketId = ((await (await fetch(`${base}/bench/ticket`)).json()) as { id: number }).id;
  const html = sampleHtml();
  let i = 0;
  const body = () => JSON.stringify({
    process: mode === 'given' ? 'batch' : mode, direction: 'in', from: `Kunde ${i} <kunde${i}@example.de>`, to: ['service@example.de'],
    subject: `Zählerstand ${i}`, body: html, externalConversationId: `profile-${i++}`,
    ...(mode === 'given' ? { bodyPlain: 'given', bodyClean: 'given' } : {}),
  });
  const opts = (duration: number) => ({
    url: `${base}/api/mind/ticket/${ticketId}/conversation/store`, method: 'POST' as const, connections: 50, duration,
    headers: { 'content-type': 'application/json', authorization: auth }, requests: [{ setupRequest: (req: object) => ({ ...req, body: body() }) }],
  });
  await autocannon(opts(3) as autocannon.Options); // warm-up, in the profile too but subtracted below by time
  const warmEnd = Date.now();
  const before = sampleCpu(child.pid);
  const result = await autocannon(opts(seconds) as autocannon.Options);
  const cpu = cpuPerRequest(before, sampleCpu(child.pid), result.requests.total);
  child.send('exit');
  await new Promise((resolve) => child.once('exit', resolve));
  if (onPostgres) await admin(server, `drop database ${database} with (force)`);

  const file = fs.readdirSync(profDir).map((f) => path.join(profDir, f)).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0]!;
  const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  // Inclusive time of our own functions (src/): which stage of the store path the time is under.
  const inclusive = new Map<string, number>();
  // Only samples taken after the warm-up: the profile's clock is in µs from an arbitrary origin.
  const measuredFrom = prof.endTime - (Date.now() - warmEnd) * 1000;
  const byModule = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let t = prof.startTime;
  let total = 0;
  prof.samples.forEach((id, k) => {
    t += prof.timeDeltas[k]!;
    if (t < measuredFrom) return;
    const n = byId.get(id)!;
    if (n.callFrame.functionName === '(idle)') return;
    const dt = prof.timeDeltas[k]!;
    total += dt;
    const m = where(n.callFrame.url);
    byModule.set(m, (byModule.get(m) ?? 0) + dt);
    const f = `${n.callFrame.functionName || '(anonymous)'} ${m}:${n.callFrame.lineNumber + 1}`;
    byFunction.set(f, (byFunction.get(f) ?? 0) + dt);
    const seen = new Set<string>();
    for (let x: number | undefined = id; x !== undefined; x = parentOf.get(x)) {
      const cf = byId.get(x)!.callFrame;
      if (!cf.url.includes('/src/') || !cf.functionName) continue;
      const key = `${cf.functionName} ${where(cf.url)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
    }
  });
  const n = result.requests.total;
  console.log(`store process=${mode}: ${result.requests.average.toFixed(0)} req/s, p99 ${result.latency.p99} ms, ${n} requests; ${cpu ? formatCpu(cpu) : ''}`);
  console.log(`main thread busy (profiled, idle excluded): ${(total / n).toFixed(0)} µs per request\n\nself time by module (µs/request):`);
  for (const [m, us] of [...byModule].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${(us / n).toFixed(1).padStart(8)}  ${m}`);
  console.log('\nself time by function (µs/request):');
  for (const [f, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${(us / n).toFixed(1).padStart(8)}  ${f}`);
  console.log('\ninclusive time of our functions (µs/request):');
  for (const [f, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${(us / n).toFixed(1).padStart(8)}  ${f}`);
  console.log(`\nprofile: ${file}`);
}

await main();
