import fs from 'node:fs';
import os from 'node:os';

// Where a scenario's CPU goes, per request: the server's event loop (the thread whose id is
// the process id), its other threads (body threads, GC helpers, the libuv pool) and this
// process, which runs autocannon. Two cores are shared by all three, so these figures say
// what a throughput target costs. Linux only (/proc); elsewhere the bench prints no CPU line.

export interface CpuSample {
  eventLoopTicks: number;
  otherTicks: number;
  self: NodeJS.CpuUsage;
}

export interface CpuPerRequest {
  eventLoopUs: number;
  otherThreadsUs: number;
  loadGeneratorUs: number;
}

const TICK_US = 1e6 / 100; // USER_HZ is 100 on Linux

function threadTicks(pid: number, tid: string): number {
  const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  // Fields after the command name, which may itself hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

export function sampleCpu(pid: number | undefined): CpuSample | null {
  if (pid === undefined || os.platform() !== 'linux') return null;
  try {
    let eventLoopTicks = 0;
    let otherTicks = 0;
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      const ticks = threadTicks(pid, tid);
      if (tid === String(pid)) eventLoopTicks += ticks;
      else otherTicks += ticks;
    }
    return { eventLoopTicks, otherTicks, self: process.cpuUsage() };
  } catch {
    return null; // a thread ended between readdir and read, or /proc is not mounted
  }
}

export function cpuPerRequest(before: CpuSample | null, after: CpuSample | null, requests: number): CpuPerRequest | null {
  if (!before || !after || requests <= 0) return null;
  const self = process.cpuUsage(before.self);
  return {
    eventLoopUs: ((after.eventLoopTicks - before.eventLoopTicks) * TICK_US) / requests,
    otherThreadsUs: ((after.otherTicks - before.otherTicks) * TICK_US) / requests,
    loadGeneratorUs: (self.user + self.system) / requests,
  };
}

export function formatCpu(c: CpuPerRequest): string {
  const us = (n: number) => `${n.toFixed(0)} µs`;
  return `event loop ${us(c.eventLoopUs)}, other server threads ${us(c.otherThreadsUs)}, autocannon ${us(c.loadGeneratorUs)}`;
}
