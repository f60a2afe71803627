import fs from 'node:fs';

// CPU of the PostgreSQL backends serving one database, read from /proc (the server runs on this
// machine in the bench): a backend's title names its database ("postgres: 15/main: postgres
// tm_bench_svc_… 127.0.0.1(5432) idle"), so other users of the server are not counted. A backend
// that exits between two samples loses its ticks; the bench's pools keep theirs open while loaded.

const TICK_US = 1e6 / 100; // USER_HZ is 100 on Linux

export type BackendTicks = Map<number, number>;

export function sampleBackends(database: string): BackendTicks {
  const ticks: BackendTicks = new Map();
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return ticks;
  }
  for (const pid of pids) {
    try {
      const title = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!title.startsWith('postgres:') || !title.includes(` ${database} `)) continue;
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(Number(pid), Number(fields[11]) + Number(fields[12]));
    } catch {
      // the process ended between readdir and read
    }
  }
  return ticks;
}

/** µs of backend CPU per request between two samples (backends started in between count whole). */
export function backendUsPerRequest(before: BackendTicks, after: BackendTicks, requests: number): number | null {
  if (after.size === 0 || requests <= 0) return null;
  let sum = 0;
  for (const [pid, t] of after) sum += t - (before.get(pid) ?? 0);
  return (sum * TICK_US) / requests;
}
