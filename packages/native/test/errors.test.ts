// Every error code the bindings document, provoked for real, and every kind of bad
// argument refused in TypeScript before a system call.
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import {
  MS,
  MapsyncError,
  crc32c,
  fallocateSync,
  fdatasyncSync,
  fsyncDirectorySync,
  fsyncSync,
  map,
  pageSize,
} from '../src/index.js';
import { scratchDir, sizedFile } from './helpers.js';

const dir = scratchDir();
const fd = sizedFile(join(dir, 'file.dat'), 4 * pageSize);
const m = map(fd, { length: 4 * pageSize, access: 'readwrite' });
afterAll(() => {
  m.unmap();
  closeSync(fd);
});

function closedFd(): number {
  const f = openSync(join(dir, 'file.dat'), 'r');
  closeSync(f);
  return f;
}

describe('system call errors carry code, errno, syscall and range', () => {
  it('EBADF: a closed descriptor', () => {
    const bad = closedFd();
    for (const call of [
      () => map(bad, { length: pageSize }),
      () => fsyncSync(bad),
      () => fdatasyncSync(bad),
      () => fallocateSync(bad, 0, pageSize),
    ]) {
      expect(call).toThrow(expect.objectContaining({ code: 'EBADF', errno: 9 }));
    }
  });

  it('EACCES: a writable shared mapping of a read-only descriptor', () => {
    const readOnly = openSync(join(dir, 'file.dat'), 'r');
    try {
      expect(() => map(readOnly, { length: pageSize, access: 'readwrite' })).toThrow(
        expect.objectContaining({ code: 'EACCES', syscall: 'mmap' }),
      );
    } finally {
      closeSync(readOnly);
    }
  });

  it('EINVAL: MS_SYNC and MS_ASYNC together, refused by the kernel', () => {
    let error: unknown;
    try {
      m.msyncSync(pageSize, pageSize, MS.SYNC | MS.ASYNC);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MapsyncError);
    expect(error).toMatchObject({
      code: 'EINVAL',
      errno: 22,
      syscall: 'msync',
      range: { offset: pageSize, length: pageSize },
    });
    expect((error as Error).message).toMatch(/^EINVAL: invalid argument, msync \[offset 4096, length 4096\]/);
  });

  it('ENOMEM: more address space than the process can have', () => {
    expect(() => map(fd, { length: 2 ** 52 })).toThrow(expect.objectContaining({ code: 'ENOMEM', syscall: 'mmap' }));
  });

  it('ENODEV: a directory cannot be mapped', () => {
    const directory = openSync(dir, 'r');
    try {
      expect(() => map(directory, { length: pageSize })).toThrow(expect.objectContaining({ code: 'ENODEV' }));
    } finally {
      closeSync(directory);
    }
  });

  it('ENOTDIR: fsync of a directory that is a file', () => {
    expect(() => {
      fsyncDirectorySync(join(dir, 'file.dat'));
    }).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
  });
});

describe('bad arguments are TypeError/RangeError with a code, before any syscall', () => {
  const cases: [string, () => unknown, string, string][] = [
    ['fd not a number', () => map('3' as unknown as number, { length: 1 }), 'TypeError', 'ERR_INVALID_ARG_TYPE'],
    ['negative fd', () => map(-1, { length: 1 }), 'RangeError', 'ERR_OUT_OF_RANGE'],
    ['NaN length', () => map(fd, { length: Number.NaN }), 'RangeError', 'ERR_OUT_OF_RANGE'],
    ['zero length', () => map(fd, { length: 0 }), 'RangeError', 'ERR_OUT_OF_RANGE'],
    ['huge length', () => map(fd, { length: 2 ** 60 }), 'RangeError', 'ERR_OUT_OF_RANGE'],
    ['fractional length', () => map(fd, { length: 1.5 }), 'RangeError', 'ERR_OUT_OF_RANGE'],
    ['unaligned file offset', () => map(fd, { length: 1, offset: 100 }), 'RangeError', 'ERR_UNALIGNED'],
    ['unknown access', () => map(fd, { length: 1, access: 'rw' as 'read' }), 'TypeError', 'ERR_INVALID_ARG_VALUE'],
    ['options not an object', () => map(fd, 5 as unknown as { length: number }), 'TypeError', 'ERR_INVALID_ARG_TYPE'],
    ['unaligned msync offset', () => m.msyncSync(100, 10), 'RangeError', 'ERR_UNALIGNED'],
    ['msync past the end', () => m.msyncSync(0, 5 * pageSize), 'RangeError', 'ERR_OUT_OF_RANGE'],
    ['msync offset past the end', () => m.msyncSync(8 * pageSize, 0), 'RangeError', 'ERR_OUT_OF_RANGE'],
    ['unknown msync flag', () => m.msyncSync(0, pageSize, 0x100), 'TypeError', 'ERR_INVALID_ARG_VALUE'],
    ['negative msync flags', () => m.msyncSync(0, pageSize, -1), 'RangeError', 'ERR_OUT_OF_RANGE'],
    ['unknown advice', () => m.madvise(0, pageSize, 'fast' as 'normal'), 'TypeError', 'ERR_INVALID_ARG_VALUE'],
    ['unaligned futex word', () => m.futexWake(2), 'RangeError', 'ERR_UNALIGNED'],
    ['futex word past the end', () => m.futexWake(4 * pageSize), 'RangeError', 'ERR_OUT_OF_RANGE'],
    ['futex expected > u32', () => m.futexWaitSync(0, 2 ** 32), 'RangeError', 'ERR_OUT_OF_RANGE'],
    ['negative timeout', () => m.futexWaitSync(0, 0, { timeoutMs: -5 }), 'RangeError', 'ERR_OUT_OF_RANGE'],
    ['bytes past the end', () => m.bytes(0, 5 * pageSize), 'RangeError', 'ERR_OUT_OF_RANGE'],
    ['remap to 0', () => m.remap(0), 'RangeError', 'ERR_OUT_OF_RANGE'],
    ['crc of a string', () => crc32c('abc' as unknown as Uint8Array), 'TypeError', 'ERR_INVALID_ARG_TYPE'],
    ['crc seed > u32', () => crc32c(new Uint8Array(1), 2 ** 32), 'RangeError', 'ERR_OUT_OF_RANGE'],
    ['fallocate of 0 bytes', () => fallocateSync(fd, 0, 0), 'RangeError', 'ERR_OUT_OF_RANGE'],
    ['unknown fallocate mode', () => fallocateSync(fd, 0, 1, { mode: 'x' as 'allocate' }), 'TypeError', 'ERR_INVALID_ARG_VALUE'],
    ['empty directory path', () => fsyncDirectorySync(''), 'TypeError', 'ERR_INVALID_ARG_TYPE'],
  ];
  it.each(cases)('%s', (_name, call, kind, code) => {
    let error: unknown;
    try {
      call();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(kind === 'TypeError' ? TypeError : RangeError);
    expect(error).toMatchObject({ code });
  });

  it('rejects the Promise forms the same way', async () => {
    await expect(m.msync(1, 1)).rejects.toMatchObject({ code: 'ERR_UNALIGNED' });
    await expect(m.futexWait(1, 0)).rejects.toMatchObject({ code: 'ERR_UNALIGNED' });
  });
});
