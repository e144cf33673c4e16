// Every scenario of the guide that touches one file, through this API, each checking
// the claim the guide makes: after a durable flush another process reading with
// read(2) sees the bytes; MS_ASYNC changes nothing but is visible at once; a
// write(2) by another process shows in the mapping; only the dirty page is synced.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { MS } from '@mapsync/native';
import { describe, expect, it } from 'vitest';

import { i32, openRegion, openRegionSync, pageSize, struct, utf8 } from '../src/index.js';
import {
  countMsync,
  readInOtherProcess,
  recordingSyscalls,
  scratchDir,
  track,
  writableWith,
  writeInOtherProcess,
} from './helpers.js';

const dir = scratchDir();
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('the guide, one file at a time', () => {
  it('journal: MS_SYNC, then another process reads the record with read()', async () => {
    const path = join(dir, 'journal.dat');
    const journal = track(await openRegion(path, { mode: 'rw', create: true, size: 4096 }));
    const msync = countMsync();
    const record = 'TRANSACTION: debit account=1234 amount=500';
    journal.write(0, text(record));

    const report = await journal.flush();

    expect(msync.async.mock.calls).toEqual([[0, 4096, MS.SYNC]]);
    expect(report).toMatchObject({
      ranges: [{ offset: 0, length: 4096 }],
      strategy: 'msync',
      calls: 1,
    });
    expect((await readInOtherProcess(path, 0, record.length)).toString()).toBe(record);
  });

  it('log: MS_ASYNC changes nothing on disk but is visible to read() at once; fsync then makes it durable', async () => {
    const path = join(dir, 'log.dat');
    const syscalls = recordingSyscalls();
    const log = writableWith(path, 4096, syscalls);
    const msync = countMsync();
    const entry = `LOG: process started pid=${process.pid}`;
    log.write(0, text(entry));

    log.schedule();
    expect(msync.sync.mock.calls).toEqual([[0, 4096, MS.ASYNC]]);
    expect(log.dirtyRanges()).toEqual([{ offset: 0, length: 4096 }]);
    expect((await readInOtherProcess(path, 0, entry.length)).toString()).toBe(entry);

    const report = await log.flush({ strategy: 'fsync' });
    expect(syscalls.made).toEqual(['msync', 'msync', 'fsync']);
    expect(report.method).toBe('msync(MS_ASYNC) x1 + fsync');
    expect(log.dirtyRanges()).toEqual([]);
  });

  it('MS_INVALIDATE after another process write()s the file: the mapping shows the new bytes', async () => {
    const path = join(dir, 'shared.dat');
    const shared = track(openRegionSync(path, { mode: 'rw', create: true, size: 256 }));
    shared.write(0, text('INITIAL DATA\0'));
    const message = shared.view(struct({ text: utf8(32) }));
    expect(message.text).toBe('INITIAL DATA');

    await writeInOtherProcess(path, 0, 'UPDATED BY WRITER');
    // Linux has one page cache for mmap and write(): the change is already visible...
    expect(message.text).toBe('UPDATED BY WRITER');
    // ...and MS_INVALIDATE, kept for portability, succeeds and changes nothing.
    const msync = countMsync();
    shared.invalidate();
    expect(msync.sync.mock.calls).toEqual([[0, 256, MS.INVALIDATE]]);
    expect(message.text).toBe('UPDATED BY WRITER');

    const reader = track(openRegionSync(path));
    reader.invalidate();
    expect(reader.get(utf8(32))).toBe('UPDATED BY WRITER');
  });

  it('MS_SYNC | MS_INVALIDATE in one call: the record is durable and the mapping current', async () => {
    const path = join(dir, 'db_page.dat');
    const page = track(openRegionSync(path, { mode: 'rw', create: true, size: 4096 }));
    const msync = countMsync();
    const record = 'DB_RECORD: id=42 value=99 checksum=0xDEAD';
    page.set(utf8(64), 0, record);

    const report = await page.flush({ invalidate: true });

    expect(msync.async.mock.calls).toEqual([[0, 4096, MS.SYNC | MS.INVALIDATE]]);
    expect(report.method).toBe('msync(MS_SYNC|MS_INVALIDATE) x1');
    expect(page.get(utf8(64))).toBe(record);
    expect((await readInOtherProcess(path, 0, record.length)).toString()).toBe(record);
  });

  it.each([
    ['msync', ['msync'], [MS.SYNC], 'msync(MS_SYNC) x1'],
    ['fsync', ['msync', 'fsync'], [MS.ASYNC], 'msync(MS_ASYNC) x1 + fsync'],
    ['fdatasync', ['msync', 'fdatasync'], [MS.ASYNC], 'msync(MS_ASYNC) x1 + fdatasync'],
  ] as const)(
    "sync method %s: the guide's calls, in order, and read() sees the data",
    async (strategy, made, flags, method) => {
      const path = join(dir, `sync_test_${strategy}.dat`);
      const syscalls = recordingSyscalls();
      const region = writableWith(path, 4096, syscalls);
      const msync = countMsync();
      const data = `Test data for sync comparison (${strategy})`;
      region.write(0, text(data));

      const report = await region.flush({ strategy });

      expect(syscalls.made).toEqual(made);
      expect(msync.async.mock.calls.map((call) => call[2])).toEqual(flags);
      expect(report).toMatchObject({
        strategy,
        method,
        calls: made.length,
        ranges: [{ offset: 0, length: 4096 }],
      });
      expect((await readInOtherProcess(path, 0, data.length)).toString()).toBe(data);
    },
  );

  it('the three sync methods also work on the calling thread (flushSync)', () => {
    const syscalls = recordingSyscalls();
    const region = writableWith(join(dir, 'sync_test_blocking.dat'), 4096, syscalls);
    for (const strategy of ['msync', 'fsync', 'fdatasync'] as const) {
      region.write(0, text(strategy));
      expect(region.flushSync({ strategy }).strategy).toBe(strategy);
    }
    expect(syscalls.made).toEqual(['msync', 'msync', 'fsync', 'msync', 'fdatasync']);
  });

  it('one dirty page of a 1 MiB mapping is synced alone: one msync of one page', async () => {
    const region = track(
      openRegionSync(join(dir, 'large_file.dat'), { mode: 'rw', create: true, size: 1024 * 1024 }),
    );
    const msync = countMsync();
    region.write(512 * 1024, text('Modified page at 512KB'));

    const report = await region.flush();

    expect(msync.async.mock.calls).toEqual([[512 * 1024, pageSize, MS.SYNC]]);
    expect(report).toMatchObject({
      ranges: [{ offset: 512 * 1024, length: pageSize }],
      bytes: pageSize,
      calls: 1,
    });
  });

  it('IPC producer: each record synced before the next; a consumer process maps the file and reads them', async () => {
    const path = join(dir, 'ipc_file.dat');
    const Record = struct({ id: i32, message: utf8(56) });
    const producer = track(await openRegion(path, { mode: 'rw', create: true, size: 10 * 64 }));
    const records = producer.array(Record, { count: 10 });
    const msync = countMsync();
    const record = records.cursor();
    for (let i = 0; i < 10; i++) {
      record.seek(i).id = i + 1;
      record.message = `Record ${i + 1} from pid ${process.pid}`;
      // The guide syncs &records[i], sizeof(Record): the range is aligned for us.
      const report = await producer.flush({ offset: i * Record.size, length: Record.size });
      expect(report.ranges).toEqual([{ offset: 0, length: 640 }]);
    }
    expect(msync.async).toHaveBeenCalledTimes(10);

    const { stdout } = await promisify(execFile)(process.execPath, [
      join(import.meta.dirname, 'fixtures', 'read-records.mjs'),
      path,
      '10',
    ]);
    const seen = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);
    expect(seen).toEqual(
      Array.from({ length: 10 }, (_, i) => ({
        id: i + 1,
        message: `Record ${i + 1} from pid ${process.pid}`,
      })),
    );
  });
});
