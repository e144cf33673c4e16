// The log on file systems that fail for real: an ext4 image whose device starts
// refusing writes (EIO), and a tiny tmpfs that fills up (ENOSPC). Needs root to mount
// them; skipped with a message elsewhere.
import { diskUnavailableReason, faultyDisk, tinyDisk } from '@mapsync/test-disks';
import { describe, expect, it } from 'vitest';

import { WriteAheadLog } from '../src/index.js';
import { payloadFor } from './helpers.js';

const noDisks = diskUnavailableReason();
if (noDisks !== undefined) console.warn(`skipping real-disk tests: ${noDisks}`);

describe.skipIf(noDisks !== undefined)('on failing disks', () => {
  it('EIO on a commit: it and every later one reject; a reopen has the acknowledged records and none the device never got', async () => {
    const disk = await faultyDisk();
    try {
      const log = WriteAheadLog.open(disk.dir, { segmentSize: 256 * 1024 });
      for (let i = 1; i <= 10; i++) log.append(payloadFor(i));
      await log.commit();
      disk.failWrites();
      log.append(payloadFor(11));
      await expect(log.commit()).rejects.toMatchObject({ code: 'ELOGFAILED', cause: { code: 'EIO' } });
      expect(() => log.append(payloadFor(12))).toThrow(expect.objectContaining({ code: 'ELOGFAILED' }));
      await expect(log.commit()).rejects.toMatchObject({ code: 'ELOGFAILED' });
      expect(log.durableLsn).toBe(10);
      await log.close();
      disk.healWrites();
      const again = WriteAheadLog.open(disk.dir, { segmentSize: 256 * 1024 });
      const records = [...again.records()];
      // Record 11 is still in the page cache, as a clean page the device never got
      // (fsyncgate). Recovery drops the cache first, so it sees the device: 10 records.
      expect(again.lastLsn).toBe(10);
      expect(again.recovery.verdict).toBe('clean');
      for (const r of records) expect(r.payload).toEqual(payloadFor(r.lsn));
      await again.close();
    } finally {
      await disk.dispose();
    }
  });

  it('EIO while close() flushes its last mark: close rejects, yet lets go of the files and the lock', async () => {
    const disk = await faultyDisk();
    try {
      const log = WriteAheadLog.open(disk.dir, { segmentSize: 256 * 1024 });
      for (let i = 1; i <= 5; i++) log.append(payloadFor(i));
      log.commitSync(); // durable, and leaves a mark for close() to flush
      disk.failWrites();
      await expect(log.close()).rejects.toMatchObject({ code: 'ELOGFAILED', cause: { code: 'EIO' } });
      disk.healWrites();
      const again = WriteAheadLog.open(disk.dir, { segmentSize: 256 * 1024 });
      expect(again.lastLsn).toBe(5);
      await again.close();
    } finally {
      await disk.dispose();
    }
  });

  it('ENOSPC when a new segment cannot be allocated: an error, never SIGBUS, and the log stays usable', async () => {
    const disk = await tinyDisk({ sizeKiB: 320 });
    try {
      const log = WriteAheadLog.open(disk.dir, { segmentSize: 64 * 1024 });
      let error: unknown;
      let appended = 0;
      try {
        for (let i = 1; i <= 10_000; i++) {
          log.append(payloadFor(i, 1000));
          appended = i;
        }
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'ENOSPC', syscall: 'fallocate' });
      // Still full: the next roll fails the same way, and nothing half made was left.
      expect(() => {
        for (let i = 0; i < 100; i++) log.append(payloadFor(appended + 1, 1000));
      }).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
      appended = log.lastLsn;
      await log.commit();
      expect(log.durableLsn).toBe(appended);
      await log.close();
      const again = WriteAheadLog.open(disk.dir, { segmentSize: 64 * 1024 });
      expect(again.lastLsn).toBe(appended);
      await again.close();
    } finally {
      await disk.dispose();
    }
  });
});
