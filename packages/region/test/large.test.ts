// A region over 4 GiB (a 5 GiB sparse file): no single ArrayBuffer can hold it on
// Node 20, so bytes and views are windows, while offsets, read/write, dirty tracking
// and flushes work anywhere, across window boundaries too.
import { statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { MS } from '@mapsync/native';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openRegionSync, pageSize, struct, u64, utf8, type WritableRegion } from '../src/index.js';
import { countMsync, readInOtherProcess, scratchDir, withCode } from './helpers.js';

const GiB = 2 ** 30;
const dir = scratchDir();
const path = join(dir, 'five-gib.dat');
let region: WritableRegion;

beforeAll(() => {
  writeFileSync(path, '');
  truncateSync(path, 5 * GiB);
  region = openRegionSync(path, { mode: 'rw' });
});
afterAll(() => {
  region.close();
});

describe('a 5 GiB region', () => {
  it('has 64-bit safe sizes and offsets', () => {
    expect(region.size).toBe(5 * GiB);
    expect(statSync(path).blocks).toBe(0);
  });

  it('writes and reads back at 4.5 GiB through a window, and another process sees it after flush', async () => {
    const at = 4.5 * GiB;
    const window = region.bytes(at, pageSize);
    window.set(new TextEncoder().encode('far away'));
    region.markDirty(at, 8);
    expect(Buffer.from(region.read(at, 8)).toString()).toBe('far away');

    const msync = countMsync();
    const report = await region.flush();
    expect(msync.async.mock.calls).toEqual([[at, pageSize, MS.SYNC]]);
    expect(report.ranges).toEqual([{ offset: at, length: pageSize }]);
    expect((await readInOtherProcess(path, at, 8)).toString()).toBe('far away');
  });

  it('layout views work past 4 GiB', () => {
    const Entry = struct({ seq: u64, note: utf8(16) });
    const entry = region.view(Entry, 4.75 * GiB);
    entry.seq = 2n ** 60n;
    entry.note = 'past 4 GiB';
    expect(region.get(Entry, 4.75 * GiB)).toEqual({ seq: 2n ** 60n, note: 'past 4 GiB' });
    const table = region.array(Entry, { offset: 4.75 * GiB, count: 1000 });
    expect(table.cursor().seek(0).note).toBe('past 4 GiB');
    expect(region.dirtyRanges()).toEqual([{ offset: 4.75 * GiB, length: pageSize }]);
  });

  it('read() and write() cross window boundaries; live views must stay inside one window', () => {
    const boundary = 4 * GiB;
    const data = new Uint8Array([1, 2, 3, 4, 5, 6]);
    region.write(boundary - 3, data);
    expect(region.read(boundary - 3, 6)).toEqual(data);
    expect(region.dirtyRanges()).toContainEqual({
      offset: boundary - pageSize,
      length: 2 * pageSize,
    });

    expect(() => region.bytes()).toThrow(withCode('ERR_CROSSES_WINDOW'));
    expect(() => region.bytes(boundary - 3, 6)).toThrow(withCode('ERR_CROSSES_WINDOW'));
    expect(() => region.array(u64, { offset: boundary - 8, count: 2 })).toThrow(
      withCode('ERR_CROSSES_WINDOW'),
    );
    expect(region.bytes(boundary, 6)).toEqual(new Uint8Array([4, 5, 6, 0, 0, 0]));
  });

  it('flushes a range past 4 GiB, aligned', () => {
    const report = region.flushSync({ offset: 4 * GiB + 10, length: 10 });
    expect(report.ranges).toEqual([{ offset: 4 * GiB, length: pageSize }]);
  });
});
