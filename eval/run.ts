// npm run eval [-- --only=intents,benchmarks,training,meters,automation]
// Prints a progress bar on stderr and one results table on stdout.
// Sections are modules exporting an async function that returns table rows. The meter-photo
// section is eval/meters.ts: when it exports `evalMeters(): Promise<ResultRow[]>` its rows join the
// table; a script-style meters.ts (it evaluates and prints on import) simply runs in place.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './datasets.js';
import { formatTable, type ResultRow } from './metrics.js';

type SectionName = 'intents' | 'benchmarks' | 'training' | 'meters' | 'automation';
const ALL: SectionName[] = ['intents', 'benchmarks', 'training', 'meters', 'automation'];

function selectedSections(argv: readonly string[]): SectionName[] {
  const only = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  if (!only) return ALL;
  const names = only.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !ALL.includes(n as SectionName));
  if (unknown.length) throw new Error(`unknown section(s) ${unknown.join(', ')}; choose from ${ALL.join(', ')}`);
  return names as SectionName[];
}

async function runSection(name: SectionName): Promise<ResultRow[]> {
  switch (name) {
    case 'intents':
      return (await import('./intents.js')).evalIntents();
    case 'benchmarks':
      return (await import('./benchmarks.js')).evalBenchmarks();
    case 'training':
      return (await import('./training.js')).evalTraining();
    case 'automation':
      return (await import('./automation.js')).evalAutomation();
    case 'meters': {
      const file = path.join(repoRoot, 'eval/meters.ts');
      if (!existsSync(file)) {
        process.stderr.write('skipped: meters (eval/meters.ts not present yet)\n');
        return [{ section: 'meters', setting: 'skipped', test: 0, note: 'eval/meters.ts not present' }];
      }
      const mod = (await import(file)) as { evalMeters?: () => Promise<ResultRow[]> };
      if (mod.evalMeters) return mod.evalMeters();
      return [{ section: 'meters', setting: 'see eval/meters.ts output above', test: 0 }];
    }
  }
}

const started = performance.now();
const rows: ResultRow[] = [];
for (const name of selectedSections(process.argv.slice(2))) rows.push(...(await runSection(name)));
process.stdout.write(`\n${formatTable(rows)}\n\nnode ${process.version}, ${((performance.now() - started) / 1000).toFixed(1)} s total\n`);
