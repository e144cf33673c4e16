// Flushing what you touched against flushing everything: a 64 MiB region with 1, 16 or
// 256 dirty pages, made durable (a) as the region's dirty set with msync(MS_SYNC) per
// run of adjacent pages (the default), (b) as the dirty set with one fdatasync, and
// (c) as one msync(MS_SYNC) over the whole mapping, what a program that does not track
// its pages must do. Every method leaves the same pages on the device.
import { rmSync } from 'node:fs';
import path from 'node:path';

import { summarize, timeCalls, type Summary } from '@mapsync/bench-kit';
import { pageSize } from '@mapsync/native';
import { openRegionSync, type WritableRegion } from '@mapsync/region';

import { inTurn, type BenchContext } from '../../context.js';

export const MAPPING_BYTES = 64 * 1024 * 1024;
export const DIRTY_PAGE_COUNTS = [1, 16, 256] as const;
export const PLACEMENTS = ['scattered', 'contiguous'] as const;
export const FLUSH_METHODS = ['dirty-set', 'dirty-set-fdatasync', 'whole-mapping'] as const;
export type Placement = (typeof PLACEMENTS)[number];
export type FlushMethod = (typeof FLUSH_METHODS)[number];

export interface FlushCase {
  readonly dirtyPages: number;
  readonly placement: Placement;
  readonly method: FlushMethod;
  /** System calls one flush made, from the region's own report. */
  readonly calls: number;
  readonly summary: Summary;
}

export interface FlushData {
  readonly mappingBytes: number;
  readonly pageSize: number;
  readonly rounds: number;
  readonly samplesPerRound: number;
  readonly cases: readonly FlushCase[];
}

/** Page numbers to dirty: spread evenly over the mapping, or one run in its middle. */
function pagesToDirty(count: number, placement: Placement): number[] {
  const total = MAPPING_BYTES / pageSize;
  return Array.from({ length: count }, (_, i) =>
    placement === 'scattered' ? i * Math.floor(total / count) : total / 2 + i,
  );
}

interface Subject {
  readonly method: FlushMethod;
  readonly region: WritableRegion;
  /** Dirties the pages untimed: through the region (tracked) or its raw bytes (not). */
  dirty(pages: readonly number[], value: number): void;
  flush(): { readonly calls: number };
}

function openSubject(dir: string, method: FlushMethod): Subject {
  const region = openRegionSync(path.join(dir, `flush-${method}.dat`), {
    mode: 'rw',
    create: true,
    size: MAPPING_BYTES,
  });
  // Written and flushed once, so every later write lands on written extents (steady state).
  region.bytes().fill(1);
  region.flushSync({ offset: 0 });
  const bytes = region.bytes();
  const one = new Uint8Array(1);
  if (method === 'whole-mapping') {
    return {
      method,
      region,
      dirty: (pages, value) => {
        for (const page of pages) bytes[page * pageSize] = value;
      },
      flush: () => region.flushSync({ offset: 0 }),
    };
  }
  const strategy = method === 'dirty-set' ? 'msync' : 'fdatasync';
  return {
    method,
    region,
    dirty: (pages, value) => {
      one[0] = value;
      for (const page of pages) region.write(page * pageSize, one);
    },
    flush: () => region.flushSync({ strategy }),
  };
}

export async function measureFlush(ctx: BenchContext): Promise<FlushData> {
  const rounds = 2;
  const samplesPerRound = ctx.quick ? 20 : 100;
  const subjects = FLUSH_METHODS.map((method) => openSubject(ctx.scratchDir, method));
  const samples = new Map<string, Float64Array[]>();
  const calls = new Map<string, number>();
  let value = 0;
  try {
    for (let round = 0; round < rounds; round++) {
      for (const count of DIRTY_PAGE_COUNTS) {
        for (const placement of PLACEMENTS) {
          ctx.step(`flush of ${count} ${placement} dirty page(s), round ${round + 1}/${rounds}`);
          const pages = pagesToDirty(count, placement);
          for (const subject of inTurn(subjects, round)) {
            const key = `${count}/${placement}/${subject.method}`;
            const timed = await timeCalls(
              samplesPerRound,
              () => {
                calls.set(key, subject.flush().calls);
              },
              {
                warmup: 5,
                prep: () => {
                  subject.dirty(pages, ++value & 0xff);
                },
              },
            );
            samples.set(key, [...(samples.get(key) ?? []), timed]);
          }
        }
      }
    }
  } finally {
    for (const subject of subjects) subject.region.close();
    for (const method of FLUSH_METHODS) rmSync(path.join(ctx.scratchDir, `flush-${method}.dat`));
  }
  const cases = DIRTY_PAGE_COUNTS.flatMap((dirtyPages) =>
    PLACEMENTS.flatMap((placement) =>
      FLUSH_METHODS.map((method) => {
        const key = `${dirtyPages}/${placement}/${method}`;
        return {
          dirtyPages,
          placement,
          method,
          calls: calls.get(key) ?? 0,
          summary: summarize(samples.get(key) ?? []),
        };
      }),
    ),
  );
  return { mappingBytes: MAPPING_BYTES, pageSize, rounds, samplesPerRound, cases };
}
