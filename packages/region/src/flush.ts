// Making byte ranges durable with one of the guide's three methods, and the report
// of what was done. Each method turns into a list of system calls, run in order on a
// thread-pool thread (flush) or on the calling thread (flushSync):
//   'msync'     msync(MS_SYNC) per range (on Linux, a ranged fdatasync of the file)
//   'fdatasync' msync(MS_ASYNC) per range, then one fdatasync(fd)
//   'fsync'     msync(MS_ASYNC) per range, then one fsync(fd)
// MS_ASYNC does nothing on Linux (since 2.6.19); it is kept so the sequence is the
// portable one. fdatasync and fsync cover the whole file, not only the ranges.
import { MS, type ByteRange, type Mapping } from '@mapsync/native';

import type { FlushSyscalls } from './syscalls.js';

export type FlushStrategy = 'msync' | 'fdatasync' | 'fsync';

export const FLUSH_STRATEGIES: readonly FlushStrategy[] = ['msync', 'fdatasync', 'fsync'];

export interface FlushReport {
  /**
   * The byte ranges synced, page aligned (start rounded down, end rounded up, never
   * past the region's end). Empty when there was nothing to sync.
   */
  readonly ranges: readonly ByteRange[];
  /** Sum of the ranges' lengths. */
  readonly bytes: number;
  readonly strategy: FlushStrategy;
  /** The system calls made, e.g. `msync(MS_SYNC) x2` or `msync(MS_ASYNC) x1 + fdatasync`. */
  readonly method: string;
  /** How many system calls were made. */
  readonly calls: number;
  readonly durationMs: number;
}

/** What a flush acts on: the mapping, the region's own fd, and the calls to use. */
export interface FlushTarget {
  readonly mapping: Mapping;
  readonly fd: number;
  readonly syscalls: FlushSyscalls;
  /** Throws when the region was closed meanwhile: the next call must not be made. */
  checkOpen(): void;
}

type Step =
  | { readonly call: 'msync'; readonly range: ByteRange; readonly flags: number }
  | { readonly call: 'fsync' | 'fdatasync' };

interface Plan {
  readonly steps: readonly Step[];
  readonly ranges: readonly ByteRange[];
  readonly strategy: FlushStrategy;
  readonly method: string;
}

function plan(ranges: readonly ByteRange[], strategy: FlushStrategy, invalidate: boolean): Plan {
  const nonEmpty = ranges.filter((range) => range.length > 0);
  if (nonEmpty.length === 0) return { steps: [], ranges: [], strategy, method: 'none' };
  const extra = invalidate ? MS.INVALIDATE : 0;
  const flagName = invalidate ? '|MS_INVALIDATE' : '';
  const msyncFlags = (strategy === 'msync' ? MS.SYNC : MS.ASYNC) | extra;
  const steps: Step[] = nonEmpty.map((range) => ({ call: 'msync', range, flags: msyncFlags }));
  const msync = `msync(${strategy === 'msync' ? 'MS_SYNC' : 'MS_ASYNC'}${flagName}) x${nonEmpty.length}`;
  if (strategy !== 'msync') steps.push({ call: strategy });
  return {
    steps,
    ranges: nonEmpty,
    strategy,
    method: strategy === 'msync' ? msync : `${msync} + ${strategy}`,
  };
}

function report(p: Plan, started: number): FlushReport {
  return {
    ranges: p.ranges,
    bytes: p.ranges.reduce((sum, range) => sum + range.length, 0),
    strategy: p.strategy,
    method: p.method,
    calls: p.steps.length,
    durationMs: performance.now() - started,
  };
}

/** Syncs `ranges` off the event loop; the first failing call rejects, and no later call is made. */
export async function syncRanges(
  target: FlushTarget,
  ranges: readonly ByteRange[],
  strategy: FlushStrategy,
  invalidate: boolean,
): Promise<FlushReport> {
  const started = performance.now();
  const p = plan(ranges, strategy, invalidate);
  const { syscalls, mapping, fd } = target;
  for (const step of p.steps) {
    target.checkOpen();
    if (step.call === 'msync')
      await syscalls.msync(mapping, step.range.offset, step.range.length, step.flags);
    else if (step.call === 'fsync') await syscalls.fsync(fd);
    else await syscalls.fdatasync(fd);
  }
  return report(p, started);
}

/** The same on the calling thread. */
export function syncRangesSync(
  target: FlushTarget,
  ranges: readonly ByteRange[],
  strategy: FlushStrategy,
  invalidate: boolean,
): FlushReport {
  const started = performance.now();
  const p = plan(ranges, strategy, invalidate);
  const { syscalls, mapping, fd } = target;
  for (const step of p.steps) {
    target.checkOpen();
    if (step.call === 'msync')
      syscalls.msyncSync(mapping, step.range.offset, step.range.length, step.flags);
    else if (step.call === 'fsync') syscalls.fsyncSync(fd);
    else syscalls.fdatasyncSync(fd);
  }
  return report(p, started);
}
