// Lifetime: close() once, ECLOSED for any call after, views detached and failing with
// a code, `using` closes; resize makes a new generation and stale views fail loudly.
import { closeSync, openSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';

import { MapsyncError } from '@mapsync/native';
import { describe, expect, it } from 'vitest';

import {
  array,
  openRegion,
  openRegionSync,
  pageSize,
  struct,
  u32,
  u8,
  type ReadonlyRegion,
  type WritableRegion,
} from '../src/index.js';
import { gatedSyscalls, scratchDir, track, withCode, writableWith } from './helpers.js';

const dir = scratchDir();
let files = 0;
const fresh = (size = 4 * pageSize): WritableRegion =>
  track(openRegionSync(join(dir, `l${files++}.dat`), { mode: 'rw', create: true, size }));

const Point = struct({ x: u32, y: u32, tags: array(u8, 4) });
const closed = withCode('ECLOSED');

describe('close', () => {
  it('every call after close throws ECLOSED; flushes reject with it', async () => {
    const region = fresh();
    region.close();
    expect(region.closed).toBe(true);
    const calls: (() => unknown)[] = [
      () => region.close(),
      () => region.bytes(),
      () => region.read(0, 1),
      () => region.write(0, new Uint8Array(1)),
      () => region.get(u32, 0),
      () => region.set(u32, 0, 1),
      () => region.view(Point),
      () => region.array(u32),
      () => region.markDirty(0, 1),
      () => region.dirtyRanges(),
      () => region.flushSync(),
      () => region.schedule(),
      () => region.invalidate(),
      () => region.advise('random'),
      () => region.residency(),
      () => region.lock(),
      () => region.unlock(),
      () => region.resizeSync(2 * pageSize),
      () => region.adviseDestructive('dontneed', { offset: 0, length: pageSize }),
    ];
    for (const call of calls) expect(call).toThrow(closed);
    await expect(region.flush()).rejects.toMatchObject({ code: 'ECLOSED' });
    await expect(region.resize(2 * pageSize)).rejects.toMatchObject({ code: 'ECLOSED' });
  });

  it('views taken before close fail with ECLOSED; byte views are detached (length 0)', () => {
    const region = fresh();
    const point = region.view(Point);
    const cursor = region.array(Point).cursor();
    const tags = point.tags;
    const bytes = region.bytes();
    point.x = 5;
    region.close();
    expect(() => point.x).toThrow(closed);
    expect(() => (point.y = 1)).toThrow(closed);
    expect(() => cursor.seek(1).x).toThrow(closed);
    expect(() => tags.get(0)).toThrow(closed);
    expect(() => point.toJSON()).toThrow(closed);
    expect(bytes.length).toBe(0);
  });

  it('closes the file descriptor', () => {
    const before = openSync(import.meta.filename, 'r');
    closeSync(before);
    const region = fresh();
    region.close();
    // The region's fd was the lowest free one before ours: it is free again.
    const after = openSync(import.meta.filename, 'r');
    closeSync(after);
    expect(after).toBe(before);
  });

  it('with keepViews, byte views stay attached and readable; the file is closed all the same', () => {
    const before = openSync(import.meta.filename, 'r');
    closeSync(before);
    const region = fresh();
    region.write(0, new Uint8Array([7, 8, 9]));
    const bytes = region.bytes(0, 3);
    const point = region.view(Point);
    region.close({ keepViews: true });
    expect(region.closed).toBe(true);
    expect([...bytes]).toEqual([7, 8, 9]);
    expect(() => point.x).toThrow(closed);
    expect(() => region.bytes()).toThrow(closed);
    expect(() => region.close({ keepViews: true })).toThrow(closed);
    const after = openSync(import.meta.filename, 'r');
    closeSync(after);
    expect(after).toBe(before);
  });

  it('refuses close options that are not options, and stays open', () => {
    const region = fresh();
    expect(() => region.close({ keepViews: 'yes' } as never)).toThrow(withCode('ERR_INVALID_ARG_TYPE'));
    expect(() => region.close(5 as never)).toThrow(withCode('ERR_INVALID_ARG_TYPE'));
    expect(region.closed).toBe(false);
    region.close();
  });

  it('`using` closes the region at the end of the block; dispose after close is a no-op', () => {
    let escaped: ReadonlyRegion | undefined;
    {
      using region = fresh();
      region.write(0, new Uint8Array([1]));
      escaped = region;
    }
    expect(escaped.closed).toBe(true);
    const explicit = fresh();
    explicit.close();
    expect(() => {
      explicit[Symbol.dispose]();
    }).not.toThrow();
  });

  it('close during a flush: the fd stays open until the flush is done; the flush rejects ECLOSED', async () => {
    const syscalls = gatedSyscalls();
    const region = writableWith(join(dir, 'closing.dat'), 4 * pageSize, syscalls);
    region.write(0, new Uint8Array([1]));
    region.write(2 * pageSize, new Uint8Array([1]));
    const flushing = region.flush({ strategy: 'fsync' });
    await syscalls.started;
    region.close();
    syscalls.release();
    await expect(flushing).rejects.toMatchObject({ code: 'ECLOSED' });
    expect(region.failure).toBeUndefined();
  });
});

describe('resize', () => {
  it('grows the file preallocated, keeps the bytes, and makes a new generation', async () => {
    const path = join(dir, 'grow.dat');
    const region = track(await openRegion(path, { mode: 'rw', create: true, size: pageSize }));
    region.set(u32, 0, 0xc0ffee);
    expect(region.generation).toBe(0);

    await region.resize(64 * pageSize);

    expect(region.size).toBe(64 * pageSize);
    expect(region.generation).toBe(1);
    expect(region.get(u32, 0)).toBe(0xc0ffee);
    expect(statSync(path).size).toBe(64 * pageSize);
    expect(statSync(path).blocks * 512).toBeGreaterThanOrEqual(64 * pageSize);
    region.set(u32, 63 * pageSize, 7);
    await region.flush();
    expect(readFileSync(path).readUInt32LE(63 * pageSize)).toBe(7);
  });

  it('stale views fail loudly with ESTALE, naming the generation; fresh views work', () => {
    const region = fresh(pageSize);
    const point = region.view(Point);
    const cursor = region.array(Point, { count: 10 }).cursor();
    const bytes = region.bytes();
    point.x = 1;

    region.resizeSync(2 * pageSize);

    for (const stale of [
      () => point.x,
      () => (point.y = 2),
      () => cursor.seek(3).y,
      () => point.tags.get(0),
    ]) {
      expect(stale).toThrow(/generation 0/);
      expect(stale).toThrow(withCode('ESTALE'));
    }
    expect(bytes.length).toBe(0);
    expect(region.view(Point).x).toBe(1);
  });

  it('shrinking needs { truncate: true }, then truncates the file and drops dirty pages past the end', () => {
    const path = join(dir, 'shrink.dat');
    const region = track(openRegionSync(path, { mode: 'rw', create: true, size: 8 * pageSize }));
    region.write(7 * pageSize, new Uint8Array([1]));
    region.write(0, new Uint8Array([1]));
    expect(() => {
      region.resizeSync(2 * pageSize);
    }).toThrow(withCode('ERR_SHRINK_NEEDS_TRUNCATE'));
    expect(region.size).toBe(8 * pageSize);

    region.resizeSync(2 * pageSize, { truncate: true });

    expect(statSync(path).size).toBe(2 * pageSize);
    expect(region.dirtyRanges()).toEqual([{ offset: 0, length: pageSize }]);
    expect(() => region.read(2 * pageSize, 1)).toThrow(withCode('ERR_OUT_OF_RANGE'));
  });

  it('resize() waits for the flush in flight; resizeSync() refuses with EBUSY meanwhile', async () => {
    const syscalls = gatedSyscalls();
    const region = writableWith(join(dir, 'busy.dat'), pageSize, syscalls);
    region.write(0, new Uint8Array([1]));
    const flushing = region.flush();
    await syscalls.started;
    expect(() => {
      region.resizeSync(2 * pageSize);
    }).toThrow(withCode('EBUSY'));
    const resizing = region.resize(2 * pageSize);
    syscalls.release();
    await flushing;
    await resizing;
    expect(region.size).toBe(2 * pageSize);
  });

  it('refuses bad sizes before any system call', async () => {
    const region = fresh();
    await expect(region.resize(0)).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
    expect(() => {
      region.resizeSync(1.5);
    }).toThrow(withCode('ERR_OUT_OF_RANGE'));
    expect(region.generation).toBe(0);
  });
});

describe('errors have codes a program can switch on', () => {
  it('closed and stale are MapsyncErrors with the path', () => {
    const region = fresh();
    region.close();
    let caught: unknown;
    try {
      region.bytes();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MapsyncError);
    expect(caught).toMatchObject({ code: 'ECLOSED', path: region.path });
  });
});

describe('a file truncated while mapped', () => {
  it('keeps the process alive and fails every later call with ETRUNCATED, close excepted', async () => {
    const path = join(dir, `l${files++}.dat`);
    const region = openRegionSync(path, { mode: 'rw', create: true, size: 4 * pageSize });
    const view = region.bytes();
    // Another process would do this; the kernel cannot tell the difference.
    truncateSync(path, pageSize);
    expect(view[3 * pageSize]).toBe(0); // SIGBUS absorbed by the native guard
    expect(() => {
      region.write(0, new Uint8Array([1]));
    }).toThrow(expect.objectContaining({ code: 'ETRUNCATED' }));
    await expect(region.flush()).rejects.toMatchObject({ code: 'ETRUNCATED' });
    region.close();
  });
});
