// Waits for the job queue to drain, printing progress; returns jobs done per second.
export async function measureDrain(base: string, label: string, capSeconds: number, start?: () => Promise<unknown>): Promise<{ done: number; seconds: number; perSecond: number; left: number }> {
  const counts = async () => (await (await fetch(`${base}/bench/jobs`)).json()) as Record<string, number>;
  const first = await counts();
  await start?.();
  const started = Date.now();
  const startDone = first.done ?? 0;
  let c = first;
  let lastPrinted = -5;
  for (;;) {
    const pending = (c.queued ?? 0) + (c.running ?? 0);
    const seconds = (Date.now() - started) / 1000;
    const line = `${label}: ${(c.done ?? 0) - startDone} done, ${pending} pending, ${seconds.toFixed(1)} s`;
    if (process.stderr.isTTY) process.stderr.write(`\r${line}   `);
    else if (Math.floor(seconds / 5) !== Math.floor(lastPrinted / 5)) {
      process.stderr.write(`${line}\n`);
      lastPrinted = seconds;
    }
    if (pending === 0 || seconds > capSeconds) {
      process.stderr.write('\n');
      const done = (c.done ?? 0) + (c.failed ?? 0) - startDone - (first.failed ?? 0);
      return { done, seconds, perSecond: done / seconds, left: pending };
    }
    await new Promise((r) => setTimeout(r, 250));
    c = await counts();
  }
}
