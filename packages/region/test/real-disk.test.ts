// A region on file systems that fail for real (root only; skipped elsewhere): a
// write-back error poisons it, and a full disk is an error at open, not a SIGBUS later.
import { join } from 'node:path';

import { diskUnavailableReason, faultyDisk, tinyDisk } from '@mapsync/test-disks';
import { describe, expect, it } from 'vitest';

import { openRegionSync, pageSize } from '../src/index.js';

const noDisks = diskUnavailableReason();
if (noDisks !== undefined) console.warn(`skipping real-disk tests: ${noDisks}`);

describe.skipIf(noDisks !== undefined)('on failing disks', () => {
  it('EIO poisons the region: every later flush rejects with the same error, even once the disk works', async () => {
    const disk = await faultyDisk();
    try {
      const region = openRegionSync(join(disk.dir, 'r.dat'), { mode: 'rw', create: true, size: 16 * pageSize });
      region.write(0, new Uint8Array(100).fill(1));
      await region.flush();
      disk.failWrites();
      region.write(pageSize, new Uint8Array(100).fill(2));
      let first: unknown;
      try {
        await region.flush();
      } catch (error) {
        first = error;
      }
      expect(first).toMatchObject({ code: 'EIO' });
      disk.healWrites();
      await expect(region.flush()).rejects.toBe(first);
      expect(() => region.flushSync()).toThrow(first);
      region.close();
    } finally {
      await disk.dispose();
    }
  });

  // Linux reports a write-back error once per open file, and both flushes go through the
  // mapping's: without the region's own descriptor to ask, whichever checked second could
  // see success for pages the device never got. The log's real-disk test reproduced
  // that (a commitSync acknowledged a record); this asserts the contract here.
  it.each(['flushSync', 'syncRangeSync'] as const)(
    'EIO under an async flush and an overlapping %s: both fail',
    async (sync) => {
      const disk = await faultyDisk();
      try {
        for (let attempt = 0; attempt < 6; attempt++) {
          disk.healWrites();
          const region = openRegionSync(join(disk.dir, `overlap-${attempt}.dat`), { mode: 'rw', create: true, size: 16 * pageSize });
          let syncOutcome: unknown = 'returned';
          let asyncOutcome: unknown = 'resolved';
          try {
            region.write(0, new Uint8Array(100).fill(1));
            await region.flush();
            disk.failWrites();
            region.write(pageSize, new Uint8Array(100).fill(2));
            const pending = region.flush().catch((error: unknown) => (asyncOutcome = error));
            // Block this thread a moment: the async msync runs (and meets the EIO) on a
            // pool thread, and its result is not yet back on this one.
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5 + attempt * 5);
            try {
              if (sync === 'flushSync') region.flushSync();
              else region.syncRangeSync(pageSize, 100);
            } catch (error) {
              syncOutcome = error;
            }
            await pending;
          } finally {
            region.close();
          }
          expect(syncOutcome, `attempt ${attempt}: ${sync} returned`).toMatchObject({ code: 'EIO' });
          expect(asyncOutcome, `attempt ${attempt}: flush resolved`).toMatchObject({ code: 'EIO' });
        }
      } finally {
        await disk.dispose();
      }
    },
  );

  it('ENOSPC when a created file cannot be preallocated: an error at open', async () => {
    const disk = await tinyDisk({ sizeKiB: 256 });
    try {
      expect(() => openRegionSync(join(disk.dir, 'big.dat'), { mode: 'rw', create: true, size: 1024 * 1024 })).toThrow(
        expect.objectContaining({ code: 'ENOSPC' }),
      );
    } finally {
      await disk.dispose();
    }
  });
});
