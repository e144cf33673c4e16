// Guide, "partial sync" (large_file.dat): one page modified at 512 KiB of a 1 MiB
// mapping, and msync of that page only, "not the entire 1MB". Timed both ways: the
// dirty page only, and the whole mapping with the same one page dirty.
import { join } from 'node:path';

import { openRegionSync, pageSize, utf8, type FlushReport } from '@mapsync/region';

import { describeFlush } from './support/describe.js';
import type { ClaimResult, ExampleContext } from './support/example.js';
import { median, micros, timed } from './support/measure.js';

const TOTAL_SIZE = 1024 * 1024;
const DIRTY_OFFSET = 512 * 1024;
const Text = utf8(32);

export interface PartialSyncResult extends ClaimResult {
  readonly rounds: number;
  /** flush() of the dirty set: the one page. */
  readonly dirtyPage: { readonly report: FlushReport; readonly medianMs: number };
  /** flush({ offset: 0 }): the whole mapping. */
  readonly wholeMapping: { readonly report: FlushReport; readonly medianMs: number };
}

export function partialSync(
  { dir, say }: ExampleContext,
  { rounds = 30 }: { rounds?: number } = {},
): PartialSyncResult {
  const large = openRegionSync(join(dir, 'large_file.dat'), {
    mode: 'rw',
    create: true,
    size: TOTAL_SIZE,
  });
  try {
    // One untimed pass: the first flush of a new file also writes its allocation metadata.
    large.set(Text, DIRTY_OFFSET, 'warm-up');
    large.flushSync({ offset: 0 });
    const dirtyPage: number[] = [];
    const wholeMapping: number[] = [];
    let dirtyReport: FlushReport | undefined;
    let wholeReport: FlushReport | undefined;
    for (let round = 0; round < rounds; round++) {
      // memcpy(base + 512 KiB, "Modified page at 512KB", 23): page 128 is dirty.
      large.set(Text, DIRTY_OFFSET, `Modified page at 512KB #${round}`);
      // msync(aligned_addr, page_size, MS_SYNC): the region knows which page is dirty
      // and syncs just it; no alignment arithmetic in user code.
      const partial = timed(() => large.flushSync());
      dirtyPage.push(partial.ms);
      dirtyReport = partial.value;

      large.set(Text, DIRTY_OFFSET, `Modified page at 512KB #${round}!`);
      // msync(base, TOTAL_SIZE, MS_SYNC): the whole mapping.
      const whole = timed(() => large.flushSync({ offset: 0 }));
      wholeMapping.push(whole.ms);
      wholeReport = whole.value;
    }
    if (dirtyReport === undefined || wholeReport === undefined)
      throw new RangeError('rounds must be at least 1');

    const result = {
      rounds,
      dirtyPage: { report: dirtyReport, medianMs: median(dirtyPage) },
      wholeMapping: { report: wholeReport, medianMs: median(wholeMapping) },
    };
    say(`Synced only 1 page: ${describeFlush(dirtyReport)}`);
    say(`Whole mapping:      ${describeFlush(wholeReport)}`);
    say(
      `Median over ${rounds} rounds: the dirty page ${micros(result.dirtyPage.medianMs)}, the whole 1 MiB mapping ` +
        `${micros(result.wholeMapping.medianMs)} (${(result.wholeMapping.medianMs / result.dirtyPage.medianMs).toFixed(2)}x).`,
    );
    say(
      'Linux writes only dirty pages either way; a whole-mapping msync also walks every clean page of the range, ' +
        'a cost that grows with the mapping, so large files with sparse writes gain the most.',
    );

    const claim =
      'with one dirty page, the region syncs that one page (4 KiB), not the whole 1 MiB mapping';
    const [range] = dirtyReport.ranges;
    const holds =
      dirtyReport.ranges.length === 1 &&
      range?.offset === DIRTY_OFFSET &&
      range.length === pageSize &&
      dirtyReport.calls === 1 &&
      wholeReport.bytes === TOTAL_SIZE;
    return { claim, holds, ...result };
  } finally {
    large.close();
  }
}
