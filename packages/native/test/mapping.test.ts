import { openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

import { LARGE_MAPPING_WINDOW, MS, fallocateSync, map, pageSize, type Mapping } from '../src/index.js';
import { closeQuietly, scratchDir, sizedFile } from './helpers.js';

const dir = scratchDir();
const open: Mapping[] = [];
const fds: number[] = [];

function mapped(name: string, size: number, options: Partial<Parameters<typeof map>[1]> = {}) {
  const fd = sizedFile(join(dir, name), size);
  fds.push(fd);
  const m = map(fd, { length: size, access: 'readwrite', ...options });
  open.push(m);
  return { fd, m, path: join(dir, name) };
}

afterEach(() => {
  for (const m of open.splice(0)) if (!m.closed) m.unmap();
  for (const fd of fds.splice(0)) closeQuietly(fd);
});

describe('map and msync', () => {
  it('writes through the mapping reach the file, visible to read(2)', async () => {
    const { m, path } = mapped('journal.dat', pageSize);
    const record = Buffer.from('TRANSACTION: debit account=1234 amount=500');
    new Uint8Array(m.buffer).set(record);
    await m.msync(0, pageSize, MS.SYNC);
    expect(readFileSync(path).subarray(0, record.length)).toEqual(record);
  });

  it('syncs a sub-range and accepts every flag combination the kernel accepts', () => {
    const { m } = mapped('flags.dat', 4 * pageSize);
    new Uint8Array(m.buffer)[pageSize] = 7;
    for (const flags of [MS.SYNC, MS.ASYNC, MS.INVALIDATE, MS.SYNC | MS.INVALIDATE, MS.ASYNC | MS.INVALIDATE]) {
      expect(() => {
        m.msyncSync(pageSize, pageSize, flags);
      }).not.toThrow();
    }
  });

  it('leaves the file untouched for a private (copy-on-write) mapping', () => {
    const { m, path } = mapped('private.dat', pageSize, { shared: false });
    new Uint8Array(m.buffer).fill(0xaa, 0, 16);
    m.msyncSync();
    expect(readFileSync(path).subarray(0, 16)).toEqual(Buffer.alloc(16));
  });

  it('sees a write(2) by the same file through the mapping at once (one page cache)', () => {
    const { m, fd } = mapped('unified.dat', pageSize);
    writeSync(fd, 'UPDATED BY WRITER', 0);
    m.msyncSync(0, pageSize, MS.INVALIDATE);
    expect(Buffer.from(m.bytes(0, 17)).toString()).toBe('UPDATED BY WRITER');
  });

  it('maps a file range at a page-aligned offset', () => {
    const { fd } = mapped('offset.dat', 3 * pageSize);
    writeSync(fd, 'third page', 2 * pageSize);
    const window = map(fd, { length: pageSize, offset: 2 * pageSize });
    open.push(window);
    expect(Buffer.from(window.bytes(0, 10)).toString()).toBe('third page');
    expect(window.fileOffset).toBe(2 * pageSize);
    expect(window.access).toBe('read');
  });
});

describe('after unmap', () => {
  it('detaches the buffer: typed arrays read as empty, DataView throws', () => {
    const { m } = mapped('detach.dat', pageSize);
    const bytes = new Uint8Array(m.buffer);
    const view = new DataView(m.buffer);
    bytes[0] = 42;
    m.unmap();
    expect(bytes.length).toBe(0);
    expect(bytes[0]).toBeUndefined();
    bytes[0] = 1; // a write to a detached view is dropped, never reaches memory
    expect(() => view.getUint8(0)).toThrow(TypeError);
    expect(() => view.setUint8(0, 1)).toThrow(TypeError);
  });

  it('refuses every call with ECLOSED, including a second unmap', async () => {
    const { m } = mapped('closed.dat', pageSize);
    m.unmap();
    expect(m.closed).toBe(true);
    expect(m.length).toBe(0);
    for (const call of [
      () => m.buffer,
      () => m.unmap(),
      () => m.msyncSync(),
      () => m.mincore(),
      () => m.remap(2 * pageSize),
      () => m.futexWake(0),
      () => m.bytes(),
    ]) {
      expect(call).toThrow(expect.objectContaining({ code: 'ECLOSED' }));
    }
    await expect(m.msync()).rejects.toMatchObject({ code: 'ECLOSED' });
    expect(() => m[Symbol.dispose]()).not.toThrow();
  });

  it('keeps pages mapped until an in-flight async msync finishes', async () => {
    const { m } = mapped('inflight.dat', 64 * pageSize);
    new Uint8Array(m.buffer).fill(1);
    const flushing = m.msync();
    m.unmap();
    await expect(flushing).resolves.toBeUndefined();
  });

  it('unmaps through `using` at the end of a block', () => {
    const fd = sizedFile(join(dir, 'using.dat'), pageSize);
    fds.push(fd);
    let bytes: Uint8Array;
    {
      using m = map(fd, { length: pageSize, access: 'readwrite' });
      bytes = new Uint8Array(m.buffer);
      bytes[0] = 1;
    }
    expect(bytes.length).toBe(0);
  });
});

describe('remap', () => {
  it('grows the mapping, detaches the old buffer and keeps the bytes', () => {
    const { m } = mapped('grow.dat', pageSize);
    const stale = new Uint8Array(m.buffer);
    stale.set([1, 2, 3]);
    sizedFile(join(dir, 'grow.dat'), 8 * pageSize, 'r+');
    m.remap(8 * pageSize);
    expect(stale.length).toBe(0);
    expect(m.length).toBe(8 * pageSize);
    const bytes = new Uint8Array(m.buffer);
    expect([...bytes.subarray(0, 3)]).toEqual([1, 2, 3]);
    bytes[7 * pageSize] = 9;
    m.msyncSync();
    expect(readFileSync(join(dir, 'grow.dat'))[7 * pageSize]).toBe(9);
  });

  it('shrinks, and detaches even when the address does not move', () => {
    const { m } = mapped('shrink.dat', 4 * pageSize);
    const stale = new DataView(m.buffer);
    m.remap(pageSize, { mayMove: false });
    expect(() => stale.getUint8(0)).toThrow(TypeError);
    expect(m.length).toBe(pageSize);
  });

  it('refuses to move a mapping while an async msync holds it (EBUSY)', async () => {
    const { m } = mapped('busy.dat', 16 * pageSize);
    new Uint8Array(m.buffer).fill(3);
    const flushing = m.msync();
    expect(() => m.remap(32 * pageSize)).toThrow(expect.objectContaining({ code: 'EBUSY' }));
    await flushing;
    expect(() => m.remap(2 * pageSize)).not.toThrow();
  });
});

describe('mincore, madvise, mlock', () => {
  it('reports exactly the touched pages of a new sparse file as resident', () => {
    const { m } = mapped('resident.dat', 16 * pageSize);
    // Without this, a fault reads ahead and neighbouring pages enter the cache too.
    m.madvise(0, 16 * pageSize, 'random');
    const bytes = new Uint8Array(m.buffer);
    bytes[0] = 1;
    bytes[3 * pageSize] = 1;
    bytes[15 * pageSize + 5] = 1;
    const pages = m.mincore();
    expect(pages.length).toBe(16);
    expect([...pages].flatMap((r, i) => (r === 1 ? [i] : []))).toEqual([0, 3, 15]);
    expect([...m.mincore(3 * pageSize, 2 * pageSize)]).toEqual([1, 0]);
  });

  it('keeps destructive advice behind an explicit opt-in', () => {
    const { m, path } = mapped('advice.dat', 4 * pageSize);
    new Uint8Array(m.buffer).fill(0x55);
    m.msyncSync();
    m.madvise(0, 4 * pageSize, 'sequential');
    m.madvise(0, 4 * pageSize, 'willneed');
    expect(() => {
      m.madvise(0, pageSize, 'remove');
    }).toThrow(expect.objectContaining({ code: 'ERR_DESTRUCTIVE_ADVICE' }));
    expect(readFileSync(path)[0]).toBe(0x55);
    m.madvise(0, pageSize, 'remove', { allowDestructive: true });
    // MADV_REMOVE punched a hole: the first page now reads as zeros from the file.
    expect(readFileSync(path)[0]).toBe(0);
    expect(readFileSync(path)[pageSize]).toBe(0x55);
  });

  it('prefault({ write: true }) faults the pages in off the event loop: stores then take no page fault', async () => {
    const pages = 256;
    const store = (m: Mapping): number => {
      const bytes = new Uint8Array(m.buffer);
      const before = process.resourceUsage().minorPageFault;
      for (let page = 0; page < pages; page++) bytes[page * pageSize] = 1;
      return process.resourceUsage().minorPageFault - before;
    };
    const cold = mapped('cold.dat', pages * pageSize).m;
    fallocateSync(fds.at(-1)!, 0, pages * pageSize);
    const warm = mapped('warm.dat', pages * pageSize).m;
    fallocateSync(fds.at(-1)!, 0, pages * pageSize);
    await warm.prefault(0, pages * pageSize, { write: true });
    expect([...warm.mincore()].every((r) => r === 1)).toBe(true);
    // One fault per page without it (write faults are never taken "around"), none with it.
    expect(store(cold)).toBeGreaterThanOrEqual(pages * 0.9);
    expect(store(warm)).toBeLessThan(pages * 0.1);
  });

  it('prefault() reads pages in, checks its range, and is safe against an unmap while it runs', async () => {
    const { m } = mapped('prefault.dat', 64 * pageSize);
    await m.prefault(pageSize, 2 * pageSize);
    expect([...m.mincore(pageSize, 2 * pageSize)]).toEqual([1, 1]);
    await expect(m.prefault(1)).rejects.toMatchObject({ code: 'ERR_UNALIGNED' });
    await expect(m.prefault(0, 65 * pageSize)).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
    await expect(m.prefault(0, pageSize, { write: 'yes' as unknown as boolean })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_TYPE',
    });
    const running = m.prefault(0, 64 * pageSize, { write: true });
    m.unmap(); // the pages stay mapped until the call returns; views detach at once
    // Done before the unmap landed, or cut short at its next 256 KiB step.
    expect(['done', 'ECLOSED']).toContain(
      await running.then(
        () => 'done',
        (error: unknown) => (error as { code?: string }).code,
      ),
    );
    await expect(m.prefault()).rejects.toMatchObject({ code: 'ECLOSED' });
  });

  it('locks and unlocks a range', () => {
    const { m } = mapped('lock.dat', 4 * pageSize);
    m.mlock(0, 2 * pageSize);
    expect([...m.mincore(0, 2 * pageSize)]).toEqual([1, 1]);
    m.munlock(0, 2 * pageSize);
  });
});

describe('past 4 GiB', () => {
  it('maps a sparse 5 GiB file and reaches bytes past 4 GiB through a window', () => {
    const size = 5 * 2 ** 30;
    const { m, path } = mapped('huge.dat', size);
    expect(m.length).toBe(size);
    expect(() => m.buffer).toThrow(expect.objectContaining({ code: 'ERR_BUFFER_TOO_LARGE' }));
    expect(m.windowSize).toBe(LARGE_MAPPING_WINDOW);
    expect(() => m.bytes(LARGE_MAPPING_WINDOW - 8, 16)).toThrow(
      expect.objectContaining({ code: 'ERR_CROSSES_WINDOW' }),
    );
    expect(m.bytes(size - 100).length).toBe(100);
    const far = 4 * 2 ** 30 + 12345 * pageSize;
    const window = m.bytes(far, pageSize);
    window.set(Buffer.from('beyond 4 GiB'));
    m.msyncSync(far, pageSize);
    const fd = openSync(path, 'r');
    fds.push(fd);
    const again = map(fd, { length: pageSize, offset: far });
    open.push(again);
    expect(Buffer.from(again.bytes(0, 12)).toString()).toBe('beyond 4 GiB');
  });
});

describe('pwrite from a mapping', () => {
  it("writes a private mapping's changes into the file, where a shared mapping then sees them", async () => {
    const { fd, m, path } = mapped('private.dat', 2 * pageSize, { shared: false });
    const shared = map(fd, { length: 2 * pageSize });
    open.push(shared);
    const record = Buffer.from('redo: page 7 <- 0xfeed');
    new Uint8Array(m.buffer).set(record, pageSize + 10);
    // Copy-on-write: nothing reaches the file until it is written there.
    expect(readFileSync(path).subarray(pageSize + 10, pageSize + 10 + record.length)).not.toEqual(record);
    m.pwriteSync(fd, pageSize + 10, record.length, { datasync: true });
    expect(Buffer.from(shared.buffer, pageSize + 10, record.length)).toEqual(record);
    new Uint8Array(m.buffer).set(record, 0);
    await m.pwrite(fd, 0, record.length);
    expect(readFileSync(path).subarray(0, record.length)).toEqual(record);
  });

  it('writes only the range asked for, at the position asked for (default: where the range is mapped)', () => {
    const { fd, path } = mapped('positions.dat', 3 * pageSize);
    const m = map(fd, { length: pageSize, offset: pageSize, access: 'readwrite', shared: false });
    open.push(m);
    new Uint8Array(m.buffer).fill(0x41);
    m.pwriteSync(fd, 100, 5);
    m.pwriteSync(fd, 0, 3, { position: 2 * pageSize + 1 });
    const file = readFileSync(path);
    expect([...file.subarray(pageSize + 99, pageSize + 106)]).toEqual([0, 0x41, 0x41, 0x41, 0x41, 0x41, 0]);
    expect([...file.subarray(2 * pageSize, 2 * pageSize + 5)]).toEqual([0, 0x41, 0x41, 0x41, 0]);
    expect(file.subarray(pageSize, pageSize + 99).every((b) => b === 0)).toBe(true);
  });

  it('refuses bad arguments and reports the errno of a write the kernel refused', async () => {
    const { fd, m, path } = mapped('bad.dat', pageSize, { shared: false });
    expect(() => m.pwriteSync(fd, pageSize - 1, 2)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => m.pwriteSync(-1, 0, 1)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    const readOnly = openSync(path, 'r');
    fds.push(readOnly);
    expect(() => m.pwriteSync(readOnly, 0, 1, { datasync: true })).toThrow(expect.objectContaining({ code: 'EBADF' }));
    await expect(m.pwrite(readOnly, 0, 1)).rejects.toMatchObject({ code: 'EBADF' });
    m.unmap();
    expect(() => m.pwriteSync(fd, 0, 1)).toThrow(expect.objectContaining({ code: 'ECLOSED' }));
    await expect(m.pwrite(fd, 0, 1)).rejects.toMatchObject({ code: 'ECLOSED' });
  });
});
