// Guide, "sync comparison" (sync_test.dat): the three ways to make mapped writes
// durable, each timed on this disk.
//   1. msync(MS_SYNC)                 — blocks until the pages are written
//   2. msync(MS_ASYNC) + fsync()      — data and metadata (timestamps too)
//   3. msync(MS_ASYNC) + fdatasync()  — data, and only the metadata needed to read it
// Each round dirties the page again, then times one flush per method, the methods
// taking turns so that the drift of a shared machine lands on all three alike.
// flushSync() blocks this thread like the C calls do: no thread hop in the timings.
import { join } from 'node:path';

import { openRegionSync, utf8, type FlushStrategy } from '@mapsync/region';

import type { ClaimResult, ExampleContext } from './support/example.js';
import { median, micros, timed } from './support/measure.js';

const MAP_SIZE = 4096;
const Text = utf8(64);

const METHODS: readonly { readonly strategy: FlushStrategy; readonly label: string }[] = [
  { strategy: 'msync', label: 'Method 1: msync(MS_SYNC)' },
  { strategy: 'fsync', label: 'Method 2: msync(MS_ASYNC) + fsync()' },
  { strategy: 'fdatasync', label: 'Method 3: msync(MS_ASYNC) + fdatasync()' },
];

export interface SyncMethodTiming {
  readonly strategy: FlushStrategy;
  readonly label: string;
  /** The system calls the region made, from its flush report. */
  readonly method: string;
  readonly medianMs: number;
  readonly samples: number;
  /** Every flush of this method left no page dirty. */
  readonly alwaysClean: boolean;
}

export interface SyncMethodsResult extends ClaimResult {
  readonly rounds: number;
  readonly methods: readonly SyncMethodTiming[];
}

export function syncMethods(
  { dir, say }: ExampleContext,
  { rounds = 50 }: { rounds?: number } = {},
): SyncMethodsResult {
  const region = openRegionSync(join(dir, 'sync_test.dat'), {
    mode: 'rw',
    create: true,
    size: MAP_SIZE,
  });
  try {
    const samples = new Map(METHODS.map(({ strategy }) => [strategy, [] as number[]]));
    const methodNames = new Map<FlushStrategy, string>();
    const clean = new Map(METHODS.map(({ strategy }) => [strategy, true]));
    for (let round = 0; round < rounds; round++) {
      for (const { strategy } of METHODS) {
        region.set(Text, 0, `Test data for sync comparison, round ${round}`); // strcpy
        const { value: report, ms } = timed(() => region.flushSync({ strategy }));
        samples.get(strategy)?.push(ms);
        methodNames.set(strategy, report.method);
        if (region.dirtyRanges().length > 0 || report.bytes !== MAP_SIZE)
          clean.set(strategy, false);
      }
    }

    const methods = METHODS.map(({ strategy, label }) => ({
      strategy,
      label,
      method: methodNames.get(strategy) ?? 'none',
      medianMs: median(samples.get(strategy) ?? []),
      samples: samples.get(strategy)?.length ?? 0,
      alwaysClean: clean.get(strategy) ?? false,
    }));
    const baseline = methods[0]?.medianMs ?? Number.NaN;
    for (const m of methods) {
      say(
        `${m.label.padEnd(42)} median ${micros(m.medianMs).padStart(8)}  (${(m.medianMs / baseline).toFixed(2)}x MS_SYNC)  calls: ${m.method}`,
      );
    }
    say(
      `${rounds} rounds on this disk. A shared machine is noisy: compare the ratios, not the absolute times.`,
    );

    const claim =
      "each of the three methods makes the dirty page durable (timings are this disk's)";
    const holds = methods.every((m) => m.alwaysClean && m.samples === rounds);
    return { claim, holds, rounds, methods };
  } finally {
    region.close();
  }
}
