/**
 * Progress of a long command: a one-line bar redrawn in place on a terminal, plain periodic
 * lines otherwise (logs and CI keep every line readable).
 */
export interface ProgressSink {
  /**
   * `done` units so far. `fraction` (0 to 1), when known, is how much of the whole work that
   * is: it fills the bar and gives a percentage and the time left.
   */
  update(done: number, opts?: { fraction?: number; label?: string }): void;
  /** The work is over: its last figures, on a line of their own. */
  finish(): void;
}

/** "42 s", "3 min 05 s", "1 h 02 min". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

const BAR_WIDTH = 24;

export function createProgress(stream: NodeJS.WriteStream, opts: { unit: string; intervalMs?: number; now?: () => number }): ProgressSink {
  const now = opts.now ?? Date.now;
  const start = now();
  const interval = opts.intervalMs ?? (stream.isTTY ? 100 : 5000);
  let last = -Infinity;
  let lastDone = 0;
  let lastFraction: number | undefined;
  let lastLabel: string | undefined;
  const seconds = () => (now() - start) / 1000;
  const figures = (done: number, fraction: number | undefined, label: string | undefined, final: boolean) => {
    const secs = seconds();
    const parts = [`${done.toLocaleString("en-US")} ${opts.unit}`];
    if (fraction !== undefined && !final) parts[0] += ` (${(100 * fraction).toFixed(1)}%)`;
    // No rate in the first moments, when it would only measure the start-up.
    if (secs >= 0.25) parts.push(`${Math.round(done / secs).toLocaleString("en-US")} ${opts.unit}/s`);
    if (label) parts.push(label);
    // The time left once the rate has settled (a second in, a percent done).
    if (!final && fraction !== undefined && fraction >= 0.01 && fraction < 1 && secs >= 1) {
      parts.push(`${formatDuration((secs * (1 - fraction)) / fraction)} left`);
    }
    if (final) parts.push(`in ${formatDuration(secs)}`);
    return parts.join(" · ");
  };
  const bar = (fraction: number | undefined) => {
    if (fraction === undefined) {
      // Work of unknown size: a block that moves, to show it is alive.
      const at = Math.floor(now() / 150) % BAR_WIDTH;
      return " ".repeat(at) + "█" + " ".repeat(BAR_WIDTH - at - 1);
    }
    const filled = Math.min(BAR_WIDTH, Math.max(0, Math.round(BAR_WIDTH * fraction)));
    return "█".repeat(filled) + "░".repeat(BAR_WIDTH - filled);
  };
  return {
    update(done, { fraction, label } = {}) {
      lastDone = done;
      lastFraction = fraction === undefined ? undefined : Math.min(1, Math.max(0, fraction));
      lastLabel = label;
      const t = now();
      if (t - last < interval) return;
      last = t;
      if (stream.isTTY) stream.write(`\r\x1b[2K[${bar(lastFraction)}] ${figures(done, lastFraction, label, false)}`);
      else stream.write(`${figures(done, lastFraction, label, false)}\n`);
    },
    finish() {
      const line = figures(lastDone, lastFraction, lastLabel, true);
      stream.write(stream.isTTY ? `\r\x1b[2K${line}\n` : `${line}\n`);
    },
  };
}
