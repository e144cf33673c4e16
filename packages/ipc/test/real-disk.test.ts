// The queue on file systems that fail for real (root only; skipped elsewhere).
import { diskUnavailableReason, faultyDisk, tinyDisk } from '@mapsync/test-disks';
import { describe, expect, it } from 'vitest';

import { Queue } from '../src/index.js';
import { encode } from './helpers.js';

const noDisks = diskUnavailableReason();
if (noDisks !== undefined) console.warn(`skipping real-disk tests: ${noDisks}`);

describe.skipIf(noDisks !== undefined)('on failing disks', () => {
  it('EIO with per-record durability: the append fails, and so does every later one', async () => {
    const disk = await faultyDisk();
    try {
      const queue = Queue.open(disk.dir, { segmentSize: 64 * 1024, durability: 'record' });
      queue.append(encode('durable'));
      disk.failWrites();
      expect(() => queue.append(encode('lost'))).toThrow(expect.objectContaining({ code: 'EIO' }));
      // The segment's region is poisoned: a retried flush cannot pretend to succeed.
      expect(() => queue.append(encode('also refused'))).toThrow(expect.objectContaining({ code: 'EIO' }));
      // Nor once the disk works again and appends have moved on to new segments (the
      // store let go of the failed one; a flush through a fresh mapping of it succeeded).
      disk.healWrites();
      for (let i = 0; i < 150; i++) {
        expect(() => queue.append(new Uint8Array(1000))).toThrow(expect.objectContaining({ code: 'EIO' }));
      }
      expect(queue.stats().segments.length).toBeGreaterThan(2);
      queue.close();
    } finally {
      await disk.dispose();
    }
  });

  it('ENOSPC when the next segment cannot be allocated: an error, never SIGBUS', async () => {
    const disk = await tinyDisk({ sizeKiB: 256 });
    try {
      const queue = Queue.open(disk.dir, { segmentSize: 64 * 1024 });
      let error: unknown;
      try {
        for (let i = 0; i < 100_000; i++) queue.append(new Uint8Array(1000));
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'ENOSPC' });
      queue.close();
    } finally {
      await disk.dispose();
    }
  });
});
