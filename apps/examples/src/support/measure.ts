// Timings for the timed examples. The machines this runs on are shared and noisy, so
// each figure is a median over many rounds, and only ratios within one run mean much.

/** Runs `fn` and returns its result with the milliseconds it took. */
export function timed<T>(fn: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = fn();
  return { value, ms: performance.now() - started };
}

export function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? upper) + upper) / 2;
}

/** Milliseconds as microseconds, for print. */
export function micros(ms: number): string {
  return `${Math.round(ms * 1000)} µs`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
