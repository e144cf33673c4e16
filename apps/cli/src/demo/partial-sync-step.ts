// Step 2, the guide's partial sync: one page written in a 1 MiB mapping, and only that
// page synced, because the region tracks what was written.
import { join } from 'node:path';

import { openRegion, pageSize, utf8 } from '@mapsync/region';

import { formatBytes, formatDuration, formatRange } from '../output.js';
import { ProofFailed, type DemoStep } from './step.js';

const SIZE = 1024 * 1024;
const DIRTY_OFFSET = 512 * 1024;

export const partialSyncStep: DemoStep = {
  title: 'Partial sync: one dirty page of a 1 MiB mapping',
  async run({ dir, say }) {
    const region = await openRegion(join(dir, 'large_file.dat'), {
      mode: 'rw',
      create: true,
      size: SIZE,
    });
    try {
      region.set(utf8(32), DIRTY_OFFSET, 'Modified page at 512KB');
      say(
        `wrote 22 bytes at offset ${DIRTY_OFFSET}; dirty: ${region.dirtyRanges().map(formatRange).join(', ')}`,
      );
      const dirty = await region.flush();
      say(
        `flush() of the dirty pages: ${dirty.method}, ${formatBytes(dirty.bytes)}, ${formatDuration(dirty.durationMs)}`,
      );
      region.set(utf8(32), DIRTY_OFFSET, 'Modified page at 512KB, again');
      const whole = await region.flush({ offset: 0 });
      say(
        `for comparison, the whole mapping: ${whole.method}, ${formatBytes(whole.bytes)}, ${formatDuration(whole.durationMs)}`,
      );
      const [range] = dirty.ranges;
      if (dirty.calls !== 1 || range?.offset !== DIRTY_OFFSET || range.length !== pageSize) {
        throw new ProofFailed(`the dirty flush synced ${dirty.ranges.map(formatRange).join(', ')}`);
      }
    } finally {
      region.close();
    }
    return `only the page that was written was synced: ${formatBytes(pageSize)} of ${formatBytes(SIZE)}, in one msync call`;
  },
};
