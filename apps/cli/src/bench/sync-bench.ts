// The guide's sync-method comparison, measured on a scratch file in the directory the
// user chose. One page of a 1 MiB mapping is dirtied before each timed flush; the
// cases take turns round by round, so the drift of a shared machine lands on all of
// them alike. Flushes are made with flushSync: the system calls on this thread, timed
// without the thread hop of the async form.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { openRegionSync, pageSize, type FlushOptions, type WritableRegion } from '@mapsync/region';

import { cleanUpOnSignal } from '../on-signal.js';

const MAPPING_SIZE = 1024 * 1024;
/** The page dirtied before each flush: the middle of the mapping, as in the guide. */
const DIRTY_OFFSET = 512 * 1024;
const WARM_UP_ROUNDS = 3;

export interface SyncCase {
  readonly id: string;
  readonly label: string;
  readonly flush: FlushOptions;
}

export const SYNC_CASES: readonly SyncCase[] = [
  { id: 'ms-sync', label: 'MS_SYNC, the dirty page', flush: { strategy: 'msync' } },
  { id: 'ms-async-fsync', label: 'MS_ASYNC + fsync', flush: { strategy: 'fsync' } },
  {
    id: 'ms-async-fdatasync',
    label: 'MS_ASYNC + fdatasync',
    flush: { strategy: 'fdatasync' },
  },
  {
    id: 'ms-sync-whole',
    label: 'MS_SYNC, the whole mapping',
    flush: { strategy: 'msync', offset: 0 },
  },
];

export interface SyncCaseResult {
  readonly id: string;
  readonly label: string;
  /** The system calls one flush made. */
  readonly method: string;
  /** Bytes each flush covered (msync ranges; fsync/fdatasync cover the whole file anyway). */
  readonly bytesPerFlush: number;
  readonly samples: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly meanUs: number;
}

export interface SyncBenchResult {
  readonly mappingSize: number;
  readonly pageSize: number;
  readonly rounds: number;
  readonly cases: readonly SyncCaseResult[];
}

/** Microseconds to 0.01: finer digits are noise. */
const roundUs = (us: number): number => Math.round(us * 100) / 100;

/** Nearest-rank percentile of sorted samples. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function summarize(
  sync: SyncCase,
  method: string,
  bytes: number,
  samplesMs: readonly number[],
): SyncCaseResult {
  const sorted = samplesMs.map((ms) => ms * 1000).sort((a, b) => a - b);
  return {
    id: sync.id,
    label: sync.label,
    method,
    bytesPerFlush: bytes,
    samples: sorted.length,
    p50Us: roundUs(percentile(sorted, 50)),
    p99Us: roundUs(percentile(sorted, 99)),
    meanUs: roundUs(sorted.reduce((sum, value) => sum + value, 0) / sorted.length),
  };
}

function timeOneFlush(
  region: WritableRegion,
  sync: SyncCase,
  round: number,
): { ms: number; method: string; bytes: number } {
  region.write(DIRTY_OFFSET, new TextEncoder().encode(`round ${round} of ${sync.id}`));
  const started = performance.now();
  const report = region.flushSync(sync.flush);
  return { ms: performance.now() - started, method: report.method, bytes: report.bytes };
}

/**
 * Runs `rounds` rounds of every case in a scratch directory made (and removed) under
 * `dir`; `onFlush` is called after each timed flush, for progress. The flushes block
 * the thread one at a time (that is what is timed); the event loop runs between rounds.
 */
export async function runSyncBench(
  dir: string,
  rounds: number,
  onFlush: (done: number, label: string) => void,
): Promise<SyncBenchResult> {
  const scratch = mkdtempSync(join(dir, '.mapsync-bench-'));
  const removeScratch = (): void => {
    rmSync(scratch, { recursive: true, force: true });
  };
  const stopCleaningUp = cleanUpOnSignal(removeScratch);
  try {
    const region = openRegionSync(join(scratch, 'bench.dat'), {
      mode: 'rw',
      create: true,
      size: MAPPING_SIZE,
    });
    try {
      for (let round = 0; round < WARM_UP_ROUNDS; round++)
        for (const sync of SYNC_CASES) timeOneFlush(region, sync, round);
      const samples = SYNC_CASES.map(() => [] as number[]);
      const seen = SYNC_CASES.map(() => ({ method: '', bytes: 0 }));
      for (let round = 0; round < rounds; round++) {
        // Between rounds, let the event loop run: the progress bar redraws on a timer.
        await new Promise((resolve) => setImmediate(resolve));
        SYNC_CASES.forEach((sync, i) => {
          const { ms, method, bytes } = timeOneFlush(region, sync, round);
          samples[i]?.push(ms);
          seen[i] = { method, bytes };
          onFlush(round * SYNC_CASES.length + i + 1, sync.label);
        });
      }
      return {
        mappingSize: MAPPING_SIZE,
        pageSize,
        rounds,
        cases: SYNC_CASES.map((sync, i) =>
          summarize(sync, seen[i]?.method ?? '', seen[i]?.bytes ?? 0, samples[i] ?? []),
        ),
      };
    } finally {
      region.close();
    }
  } finally {
    stopCleaningUp();
    removeScratch();
  }
}
