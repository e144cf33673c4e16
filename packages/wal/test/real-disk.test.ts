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

  // Linux reports a write-back error once per open file. An awaited commit's flush and a
  // commitSync running at the same time both wait on the failed write-back; if both
  // checked through one open file, only the first might see the error, and the other
  // would acknowledge records the device never got.
  it('EIO under an awaited flush and a commitSync at once: both fail, neither acknowledges', async () => {
    const disk = await faultyDisk();
    try {
      for (let attempt = 0; attempt < 8; attempt++) {
        disk.healWrites();
        const log = WriteAheadLog.open(`${disk.dir}/attempt-${attempt}`, { segmentSize: 256 * 1024 });
        let outcome: unknown;
        const awaited = (async () => {
          log.append(payloadFor(1));
          log.commitSync();
          disk.failWrites();
          log.append(payloadFor(2));
          return log.commit();
        })();
        try {
          // Let the awaited flush start on the thread pool, then flush here as well.
          await Promise.resolve();
          await Promise.resolve();
          await Promise.resolve();
          try {
            outcome = log.commitSync();
          } catch (error) {
            outcome = error;
          }
          await awaited.catch(() => undefined);
        } finally {
          // Closed before asserting: a failed assertion must not leave the disk busy.
          await log.close().catch(() => undefined);
        }
        expect(outcome, `attempt ${attempt}: commitSync returned`).toMatchObject({ code: 'ELOGFAILED' });
        await expect(awaited).rejects.toMatchObject({ code: 'ELOGFAILED' });
        expect(log.durableLsn).toBe(1);
      }
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
