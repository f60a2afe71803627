// Waits for the job queue to drain, printing progress; returns jobs done per second.
export async function measureDrain(base: string, label: string, capSeconds: number, start?: () => Promise<unknown>): Promise<{ done: number; seconds: number; perSecond: number; left: number }> {
  // A 503 (load shedding while the event loop lags, e.g. under OCR on a loaded machine) is not
  // an empty queue: the counts are asked again. Taking its error body for counts ended the photo
  // drain at once with "0 done, 0 pending" (2026-12-02).
  const counts = async (): Promise<Record<string, number>> => {
    for (;;) {
      const res = await fetch(`${base}/bench/jobs`);
      if (res.ok) return (await res.json()) as Record<string, number>;
      if (res.status !== 503) throw new Error(`${label}: /bench/jobs answered ${res.status} ${await res.text()}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  };
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
