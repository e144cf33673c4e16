// Flushing: only what was touched, coalesced into the fewest msync calls, clean only
// after success; ranges aligned for the user; flushes in call order; and a failed
// flush poisons the region (fsyncgate): later flushes reject with the original error.
import { join } from 'node:path';

import { MS, MapsyncError } from '@mapsync/native';
import { describe, expect, it } from 'vitest';

import {
  openRegionSync,
  pageSize,
  struct,
  u32,
  type Storage,
  type WritableRegion,
} from '../src/index.js';
import {
  countMsync,
  failingSyscalls,
  gatedSyscalls,
  recordingSyscalls,
  scratchDir,
  track,
  withCode,
  writableWith,
} from './helpers.js';

const dir = scratchDir();
let files = 0;
const fresh = (pages = 16): WritableRegion =>
  track(
    openRegionSync(join(dir, `f${files++}.dat`), {
      mode: 'rw',
      create: true,
      size: pages * pageSize,
    }),
  );

describe('flush() of the dirty pages', () => {
  it('pages 1, 2, 3 and 7 dirty: exactly two msync calls, [1..3] and [7]', async () => {
    const region = fresh();
    for (const page of [1, 2, 3, 7]) region.write(page * pageSize + 100, new Uint8Array([page]));
    const msync = countMsync();

    const report = await region.flush();

    expect(msync.async.mock.calls).toEqual([
      [pageSize, 3 * pageSize, MS.SYNC],
      [7 * pageSize, pageSize, MS.SYNC],
    ]);
    expect(report).toMatchObject({
      calls: 2,
      bytes: 4 * pageSize,
      ranges: [
        { offset: pageSize, length: 3 * pageSize },
        { offset: 7 * pageSize, length: pageSize },
      ],
    });
    expect(region.dirtyRanges()).toEqual([]);
  });

  it('marks what each kind of write touched: fields, write(), set(), markDirty()', () => {
    const region = fresh();
    const Pair = struct({ a: u32, b: u32 });
    region.view(Pair, 2 * pageSize - 4).b = 1; // b lies in page 2
    region.write(4 * pageSize - 1, new Uint8Array(2)); // straddles pages 3 and 4
    region.set(u32, 9 * pageSize, 7);
    region.bytes(12 * pageSize, 10).fill(1);
    region.markDirty(12 * pageSize, 10);
    expect(region.dirtyRanges()).toEqual([
      { offset: 2 * pageSize, length: 3 * pageSize },
      { offset: 9 * pageSize, length: pageSize },
      { offset: 12 * pageSize, length: pageSize },
    ]);
  });

  it('nothing dirty: no system call at all', async () => {
    const region = fresh();
    const msync = countMsync();
    const report = await region.flush();
    expect(msync.async).not.toHaveBeenCalled();
    expect(report).toMatchObject({ calls: 0, ranges: [], bytes: 0, method: 'none' });
  });

  it('pages written while a flush is in flight stay dirty for the next one', async () => {
    const syscalls = gatedSyscalls();
    const region = writableWith(join(dir, 'inflight.dat'), 8 * pageSize, syscalls);
    region.write(0, new Uint8Array([1]));
    const flushing = region.flush();
    await syscalls.started;
    // Page 0 is being synced: still reported dirty until the sync succeeds.
    expect(region.dirtyRanges()).toEqual([{ offset: 0, length: pageSize }]);
    region.write(5 * pageSize, new Uint8Array([2]));
    region.write(0, new Uint8Array([3]));
    syscalls.release();
    expect((await flushing).ranges).toEqual([{ offset: 0, length: pageSize }]);
    // Both were written after the flush took its pages: the next flush owes them.
    expect(region.dirtyRanges()).toEqual([
      { offset: 0, length: pageSize },
      { offset: 5 * pageSize, length: pageSize },
    ]);
  });

  it('flushes resolve in call order, each after every write made before it is durable', async () => {
    const region = fresh();
    const order: number[] = [];
    region.write(0, new Uint8Array([1]));
    const first = region.flush().then(() => order.push(1));
    region.write(pageSize, new Uint8Array([1]));
    const second = region.flush().then(() => order.push(2));
    const third = region.flush().then(() => order.push(3));
    await Promise.all([first, second, third]);
    expect(order).toEqual([1, 2, 3]);
  });

  it('flushSync during an async flush also syncs the pages that flush took', async () => {
    const region = fresh();
    region.write(3 * pageSize, new Uint8Array([1]));
    const flushing = region.flush();
    region.write(6 * pageSize, new Uint8Array([1]));
    const msync = countMsync();
    expect(region.dirtyRanges()).toHaveLength(2);
    const report = region.flushSync();
    expect(report.ranges).toEqual([
      { offset: 3 * pageSize, length: pageSize },
      { offset: 6 * pageSize, length: pageSize },
    ]);
    expect(msync.sync).toHaveBeenCalledTimes(2);
    await flushing;
    expect(region.dirtyRanges()).toEqual([]);
  });
});

describe('flush() of a range', () => {
  it('aligns the range for the user: start down to a page, end up, and reports it', async () => {
    const region = fresh();
    const msync = countMsync();
    const report = await region.flush({ offset: pageSize + 10, length: pageSize });
    expect(msync.async.mock.calls).toEqual([[pageSize, 2 * pageSize, MS.SYNC]]);
    expect(report.ranges).toEqual([{ offset: pageSize, length: 2 * pageSize }]);
  });

  it('never reaches past the end of a region whose size is not a whole number of pages', () => {
    const region = track(
      openRegionSync(join(dir, 'odd.dat'), { mode: 'rw', create: true, size: pageSize + 300 }),
    );
    expect(region.flushSync({ offset: pageSize + 1, length: 10 }).ranges).toEqual([
      { offset: pageSize, length: 300 },
    ]);
    expect(region.flushSync({ offset: 0 }).ranges).toEqual([{ offset: 0, length: pageSize + 300 }]);
  });

  it('cleans the dirty pages inside the range and leaves the others', async () => {
    const region = fresh();
    for (const page of [1, 4, 8]) region.write(page * pageSize, new Uint8Array([1]));
    await region.flush({ offset: 3 * pageSize, length: 3 * pageSize });
    expect(region.dirtyRanges()).toEqual([
      { offset: pageSize, length: pageSize },
      { offset: 8 * pageSize, length: pageSize },
    ]);
  });

  it('refuses bad options before any system call', async () => {
    const region = fresh();
    const msync = countMsync();
    await expect(region.flush({ offset: -1 })).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
    await expect(region.flush({ offset: 0, length: 17 * pageSize })).rejects.toMatchObject({
      code: 'ERR_OUT_OF_RANGE',
    });
    // @ts-expect-error not a strategy
    await expect(region.flush({ strategy: 'fast' })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    });
    // @ts-expect-error not a boolean
    expect(() => region.flushSync({ invalidate: 1 })).toThrow(withCode('ERR_INVALID_ARG_TYPE'));
    expect(msync.async).not.toHaveBeenCalled();
    expect(msync.sync).not.toHaveBeenCalled();
  });
});

describe('schedule() (MS_ASYNC)', () => {
  it('issues MS_ASYNC over the dirty pages and leaves them dirty: it guarantees nothing', () => {
    const region = fresh();
    region.write(2 * pageSize, new Uint8Array([1]));
    const msync = countMsync();
    region.schedule();
    expect(msync.sync.mock.calls).toEqual([[2 * pageSize, pageSize, MS.ASYNC]]);
    expect(region.dirtyRanges()).toHaveLength(1);
  });
});

describe('a failed flush poisons the region', () => {
  it('EIO from msync: this flush and every later one reject with the original error', async () => {
    const syscalls = failingSyscalls('msync', 1);
    const region = writableWith(join(dir, 'eio.dat'), 4 * pageSize, syscalls);
    region.write(pageSize, new Uint8Array([1]));

    const first = await region.flush().catch((error: unknown) => error);
    expect(first).toBeInstanceOf(MapsyncError);
    expect(first).toMatchObject({ code: 'EIO', syscall: 'msync' });
    expect(first).toBe(syscalls.errors[0]);
    expect(region.failure).toBe(first);
    // The pages were not made clean: the failure is not forgotten as "nothing dirty".
    expect(region.dirtyRanges()).toEqual([{ offset: pageSize, length: pageSize }]);

    // The real msync would now succeed: it must not be trusted, and is not even tried.
    const msync = countMsync();
    await expect(region.flush()).rejects.toBe(first);
    await expect(region.flush({ offset: 0 })).rejects.toBe(first);
    let thrown: unknown;
    try {
      region.flushSync();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBe(first);
    expect(msync.async).not.toHaveBeenCalled();
    expect(msync.sync).not.toHaveBeenCalled();
  });

  it('EIO from fdatasync on the calling thread poisons as well; reopening the file clears it', () => {
    const path = join(dir, 'eio-sync.dat');
    const region = writableWith(path, 4 * pageSize, failingSyscalls('fdatasyncSync', 1));
    region.write(0, new Uint8Array([1]));
    expect(() => region.flushSync({ strategy: 'fdatasync' })).toThrow(withCode('EIO'));
    expect(() => region.flushSync({ strategy: 'msync' })).toThrow(withCode('EIO'));
    region.close();

    const reopened = track(openRegionSync(path, { mode: 'rw' }));
    expect(reopened.failure).toBeUndefined();
    reopened.write(0, new Uint8Array([2]));
    expect(reopened.flushSync().calls).toBe(1);
  });

  it('a failure in the middle stops the flush: no later call is made', async () => {
    const syscalls = failingSyscalls('msync', 1);
    const region = writableWith(join(dir, 'eio-middle.dat'), 8 * pageSize, syscalls);
    region.write(0, new Uint8Array([1]));
    region.write(4 * pageSize, new Uint8Array([1]));
    const msync = countMsync();
    await expect(region.flush()).rejects.toMatchObject({ code: 'EIO' });
    expect(msync.async).not.toHaveBeenCalled();
    expect(region.dirtyRanges()).toHaveLength(2);
  });

  it('argument errors do not poison', async () => {
    const region = fresh();
    await expect(region.flush({ length: -1 })).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
    expect(region.failure).toBeUndefined();
  });
});

describe('syncRangeSync: one msync, no bookkeeping', () => {
  it('syncs exactly the pages covering the range, and leaves marked-dirty pages marked', () => {
    const region = fresh();
    region.write(3 * pageSize, new Uint8Array([7]));
    region.bytes(pageSize + 100, 10).fill(5);
    const msync = countMsync();
    region.syncRangeSync(pageSize + 100, pageSize); // spans pages 1 and 2
    expect(msync.sync.mock.calls).toEqual([[pageSize, 2 * pageSize, MS.SYNC]]);
    region.syncRangeSync(0, 0);
    expect(msync.sync).toHaveBeenCalledTimes(1);
    // Not a flush: what write() marked is still to flush.
    expect(region.dirtyRanges()).toEqual([{ offset: 3 * pageSize, length: pageSize }]);
    expect(() => {
      region.syncRangeSync(0, 100 * pageSize);
    }).toThrow(withCode('ERR_OUT_OF_RANGE'));
    expect(region.failure).toBeUndefined();
  });

  it('EIO poisons the region like a failed flush', async () => {
    const syscalls = failingSyscalls('msyncSync', 1);
    const region = writableWith(join(dir, 'eio-range.dat'), 4 * pageSize, syscalls);
    region.bytes(0, 1).fill(1);
    expect(() => {
      region.syncRangeSync(0, 1);
    }).toThrow(withCode('EIO'));
    expect(region.failure).toBe(syscalls.errors[0]);
    const msync = countMsync();
    expect(() => {
      region.syncRangeSync(0, 1);
    }).toThrow(withCode('EIO'));
    await expect(region.flush({ offset: 0, length: 1 })).rejects.toBe(syscalls.errors[0]);
    expect(msync.sync).not.toHaveBeenCalled();
  });

  it('refuses a closed region', () => {
    const region = fresh();
    region.close();
    expect(() => {
      region.syncRangeSync(0, 1);
    }).toThrow(withCode('ECLOSED'));
  });
});

describe('the storage seam', () => {
  it('a writable region is a Storage: write, read, live bytes, markDirty, flush a range', async () => {
    const syscalls = recordingSyscalls();
    const storage: Storage = writableWith(join(dir, 'storage.dat'), 4 * pageSize, syscalls);
    storage.write(10, new Uint8Array([1, 2, 3]));
    storage.bytes(pageSize, 4).set([9, 9, 9, 9]);
    storage.markDirty(pageSize, 4);
    expect(storage.read(10, 3)).toEqual(new Uint8Array([1, 2, 3]));
    expect((await storage.flush()).ranges).toEqual([{ offset: 0, length: 2 * pageSize }]);
    expect(storage.flushSync({ offset: 3 * pageSize, length: 1 }).ranges).toEqual([
      { offset: 3 * pageSize, length: pageSize },
    ]);
    expect(syscalls.made).toEqual(['msync', 'msync']);
    storage.close();
  });
});
