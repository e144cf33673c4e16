// Guide, "addr must be page-aligned": msync's address must start on a page (EINVAL
// otherwise) and its length is rounded up. What that looks like here:
//   - the raw binding (@mapsync/native) refuses an unaligned offset itself, with a
//     RangeError (code ERR_UNALIGNED) thrown before any system call is made;
//   - the guide's fix, rounding down to a page boundary, makes the call valid;
//   - the region API does that rounding for you and reports the range it synced.
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';

import { map } from '@mapsync/native';
import { openRegionSync, pageSize, type ByteRange } from '@mapsync/region';

import { describeRange } from './support/describe.js';
import type { ClaimResult, ExampleContext } from './support/example.js';

const PAGES = 3;

export interface UnalignedError {
  readonly name: string;
  readonly code: string | undefined;
  readonly message: string;
  /** A failed system call would carry one; this error comes from argument checks. */
  readonly syscall: string | undefined;
}

export interface AlignedFlush {
  readonly asked: ByteRange;
  readonly synced: readonly ByteRange[];
}

export interface PageAlignmentResult extends ClaimResult {
  readonly unaligned: UnalignedError;
  /** The guide's round-down, done by hand, then a valid msync. */
  readonly roundedByHand: { readonly from: number; readonly to: number };
  readonly regionFlushes: readonly AlignedFlush[];
}

/** What `call` threw, or undefined when it did not throw. */
function thrownBy(call: () => void): UnalignedError | undefined {
  try {
    call();
    return undefined;
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const fields = error as Error & { code?: string; syscall?: string };
    return { name: error.name, code: fields.code, message: error.message, syscall: fields.syscall };
  }
}

export function pageAlignment({ dir, say }: ExampleContext): PageAlignmentResult {
  const path = join(dir, 'aligned.dat');
  // The region creates and preallocates the file; the raw mapping below reuses it.
  openRegionSync(path, { mode: 'rw', create: true, size: PAGES * pageSize }).close();

  const fd = openSync(path, 'r+');
  const mapping = map(fd, { length: PAGES * pageSize, access: 'readwrite' });
  closeSync(fd); // the mapping keeps the file; munmap releases it

  const offset = pageSize + 904; // somewhere inside page 1
  const unaligned = thrownBy(() => {
    mapping.msyncSync(offset, 100);
  });
  if (unaligned === undefined) throw new Error('an unaligned msync was accepted');
  say(
    `Raw msync at offset ${offset}: ${unaligned.name} ${unaligned.code ?? ''}: ${unaligned.message}`,
  );
  say(
    `  (no errno, no syscall: the binding refused it before asking the kernel, which would say EINVAL)`,
  );

  // (uintptr_t)addr & ~(page_size - 1). In JavaScript `&` works on 32 bits, so round
  // with arithmetic instead: it stays exact for offsets past 4 GiB.
  const roundedDown = offset - (offset % pageSize);
  mapping.msyncSync(roundedDown, pageSize);
  mapping.unmap();
  say(`Rounded down by hand: msync(${roundedDown}, ${pageSize}) succeeds`);

  const region = openRegionSync(path, { mode: 'rw' });
  const regionFlushes: AlignedFlush[] = [];
  try {
    for (const asked of [
      { offset, length: 100 }, // inside one page
      { offset: pageSize - 100, length: 200 }, // across a page boundary
      { offset: 10, length: PAGES * pageSize - 20 }, // nearly everything
    ]) {
      const report = region.flushSync(asked);
      regionFlushes.push({ asked, synced: report.ranges });
      say(
        `Region flush of ${describeRange(asked)} synced ${report.ranges.map(describeRange).join(', ')}`,
      );
    }
  } finally {
    region.close();
  }

  const claim =
    'an unaligned msync is refused (RangeError ERR_UNALIGNED) before any system call; the region aligns the range and reports it';
  const expected = [
    [{ offset: pageSize, length: pageSize }],
    [{ offset: 0, length: 2 * pageSize }],
    [{ offset: 0, length: PAGES * pageSize }],
  ];
  const holds =
    unaligned.code === 'ERR_UNALIGNED' &&
    unaligned.name === 'RangeError' &&
    unaligned.syscall === undefined &&
    JSON.stringify(regionFlushes.map((f) => f.synced)) === JSON.stringify(expected);
  return {
    claim,
    holds,
    unaligned,
    roundedByHand: { from: offset, to: roundedDown },
    regionFlushes,
  };
}
