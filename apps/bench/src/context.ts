// What every group's measurement gets: a scratch directory on the disk under test, the
// run's size, and a progress line per step (on stderr, so stdout stays the report).
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export interface BenchContext {
  /** A fresh directory on the real disk (never tmpfs by default), removed after the run. */
  readonly scratchDir: string;
  /** Fewer samples and shorter runs: for trying the suite out, not for figures to quote. */
  readonly quick: boolean;
  /** Prints one progress line, prefixed with the elapsed time and the group. */
  step(message: string): void;
}

export function progressPrinter(group: string, startedAt: number): (message: string) => void {
  return (message) => {
    const seconds = Math.round((performance.now() - startedAt) / 1000);
    const clock = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
    process.stderr.write(`[${clock}] ${group}: ${message}\n`);
  };
}

/** The order of `items` for round `round`: rotated, so no side always goes first. */
export function inTurn<T>(items: readonly T[], round: number): T[] {
  const shift = round % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

/**
 * Writes back every dirty page of the machine (sync(1)) before a measurement, so that
 * the write-back of earlier files does not compete with it for the disk and the CPUs.
 */
export function settleDisk(): void {
  spawnSync('sync');
}
