// A plain text progress bar on stderr, so stdout keeps only the results table.

export interface Progress {
  tick(n?: number): void;
  done(): void;
}

export function progress(label: string, total: number): Progress {
  const width = 30;
  const tty = process.stderr.isTTY;
  let count = 0;
  let lastDraw = 0;
  let lastPercent = -1;
  const draw = (final = false): void => {
    const ratio = total > 0 ? Math.min(1, count / total) : 1;
    const percent = Math.floor(ratio * 100);
    const filled = Math.round(ratio * width);
    const line = `${label.padEnd(34)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}% ${count}/${total}`;
    if (tty) process.stderr.write(`\r${line}${final ? '\n' : ''}`);
    // Without a terminal, \r does not redraw: print every 25% instead of a flood of lines.
    else if (final || Math.floor(percent / 25) > Math.floor(lastPercent / 25)) process.stderr.write(`${line}\n`);
    lastPercent = percent;
  };
  draw();
  return {
    tick(n = 1) {
      count += n;
      const now = Date.now();
      if (now - lastDraw > 100 || count >= total) {
        lastDraw = now;
        if (count < total) draw();
      }
    },
    done() {
      count = total;
      draw(true);
    },
  };
}
