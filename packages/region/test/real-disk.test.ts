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
