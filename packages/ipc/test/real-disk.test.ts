// The queue on file systems that fail for real (root only; skipped elsewhere).
import { diskUnavailableReason, faultyDisk, tinyDisk } from '@mapsync/test-disks';
import { describe, expect, it } from 'vitest';

import { Queue } from '../src/index.js';
import { encode } from './helpers.js';

const noDisks = diskUnavailableReason();
if (noDisks !== undefined) console.warn(`skipping real-disk tests: ${noDisks}`);

describe.skipIf(noDisks !== undefined)('on failing disks', () => {
  it('EIO with per-record durability: the append fails, and every later one, writing nothing', async () => {
    const disk = await faultyDisk();
    try {
      const queue = Queue.open(disk.dir, { segmentSize: 64 * 1024, durability: 'record' });
      queue.append(encode('durable'));
      disk.failWrites();
      const eio: unknown = expect.objectContaining({ code: 'EIO' });
      // Written and published, but not durable: the append says so.
      expect(() => queue.append(encode('not durable'))).toThrow(eio);
      expect(() => queue.append(encode('refused'))).toThrow(eio);
      // Nor once the disk works again: a flush can no longer prove the failed pages.
      disk.healWrites();
      expect(() => queue.append(encode('refused after'))).toThrow(eio);
      expect(() => queue.appendBatch([encode('refused too')])).toThrow(eio);
      await expect(queue.flush()).rejects.toMatchObject({ code: 'EIO' });
      const tailer = queue.tailer();
      const got: string[] = [];
      for (let r = tailer.read(); r !== undefined; r = tailer.read()) got.push(new TextDecoder().decode(r));
      expect(got).toEqual(['durable', 'not durable']);
      queue.close();
    } finally {
      await disk.dispose();
    }
  });

  it('a failed flush fails every later one, also through segments mapped afresh after the disk heals', async () => {
    const disk = await faultyDisk();
    try {
      // Flushed only when asked (the timer never fires in this test).
      const queue = Queue.open(disk.dir, { segmentSize: 64 * 1024, durability: { everyMs: 3_600_000 } });
      queue.append(encode('before'));
      disk.failWrites();
      await expect(queue.flush()).rejects.toMatchObject({ code: 'EIO' });
      disk.healWrites();
      // Appends go on (nothing flushes them) and move to new segments, so the process
      // lets go of the failed one; a flush from the durable point maps it afresh, and
      // msync through a new mapping would report success for pages never written.
      for (let i = 0; i < 200; i++) queue.append(new Uint8Array(1000));
      expect(queue.stats().segments.length).toBeGreaterThan(2);
      await expect(queue.flush()).rejects.toMatchObject({ code: 'EIO' });
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
