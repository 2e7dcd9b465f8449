/**
 * Progress of a long command: a one-line bar redrawn in place on a terminal, plain periodic
 * lines otherwise (logs and CI keep every line readable).
 */
export interface ProgressSink {
  update(done: number, label?: string): void;
  finish(): void;
}

export function createProgress(stream: NodeJS.WriteStream, opts: { total?: number; unit: string; intervalMs?: number }): ProgressSink {
  const start = Date.now();
  const interval = opts.intervalMs ?? (stream.isTTY ? 100 : 5000);
  let last = 0;
  let lastDone = 0;
  const line = (done: number, label?: string) => {
    const secs = Math.max((Date.now() - start) / 1000, 0.001);
    const rate = Math.round(done / secs);
    const pct = opts.total ? ` ${((100 * done) / opts.total).toFixed(1)}%` : "";
    return `${done.toLocaleString("en-US")} ${opts.unit}${pct} · ${rate.toLocaleString("en-US")} ${opts.unit}/s${label ? ` · ${label}` : ""}`;
  };
  return {
    update(done, label) {
      lastDone = done;
      const now = Date.now();
      if (now - last < interval) return;
      last = now;
      if (stream.isTTY) {
        const width = 24;
        const filled = opts.total ? Math.min(width, Math.round((width * done) / opts.total)) : (Math.floor(now / 150) % width);
        const bar = opts.total ? "█".repeat(filled) + "░".repeat(width - filled) : " ".repeat(filled) + "█" + " ".repeat(width - filled - 1);
        stream.write(`\r\x1b[2K[${bar}] ${line(done, label)}`);
      } else stream.write(`${line(done, label)}\n`);
    },
    finish() {
      if (stream.isTTY) stream.write(`\r\x1b[2K${line(lastDone)}\n`);
    },
  };
}
