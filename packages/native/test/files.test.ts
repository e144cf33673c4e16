// fsync, fdatasync, directory fsync and fallocate on real files, and the failures
// that matter for durability on real (test-mounted) file systems: ENOSPC and EIO.
import { closeSync, openSync, readFileSync, readSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { diskUnavailableReason, faultyDisk, tinyDisk } from '@mapsync/test-disks';
import { describe, expect, it } from 'vitest';

import {
  fadviseSync,
  fallocate,
  fallocateSync,
  fdatasync,
  fdatasyncSync,
  fsync,
  fsyncDirectory,
  fsyncDirectorySync,
  fsyncSync,
  map,
  pageSize,
  tryLockFileSync,
} from '../src/index.js';
import { runFixture, scratchDir, sizedFile, waitForLine } from './helpers.js';

const dir = scratchDir();
const noDisks = diskUnavailableReason();
if (noDisks !== undefined) console.warn(`skipping ENOSPC/EIO tests: ${noDisks}`);

describe('fsync, fdatasync, directory fsync', () => {
  it('each form succeeds on a written file and its directory', async () => {
    const fd = openSync(join(dir, 'synced.dat'), 'w+', 0o600);
    writeSync(fd, 'durable');
    fsyncSync(fd);
    fdatasyncSync(fd);
    await fsync(fd);
    await fdatasync(fd);
    fsyncDirectorySync(dir);
    await fsyncDirectory(dir);
    closeSync(fd);
    expect(readFileSync(join(dir, 'synced.dat'), 'utf8')).toBe('durable');
  });
});

describe('fallocate', () => {
  it('allocates and extends, or keeps the size, or punches a hole', async () => {
    const path = join(dir, 'alloc.dat');
    const fd = openSync(path, 'w+', 0o600);
    fallocateSync(fd, 0, 16 * pageSize);
    expect(statSync(path).size).toBe(16 * pageSize);
    expect(statSync(path).blocks * 512).toBeGreaterThanOrEqual(16 * pageSize);
    await fallocate(fd, 16 * pageSize, 16 * pageSize, { mode: 'keep-size' });
    expect(statSync(path).size).toBe(16 * pageSize);
    writeSync(fd, Buffer.alloc(pageSize, 1), 0, pageSize, 0);
    fallocateSync(fd, 0, pageSize, { mode: 'punch-hole' });
    expect(readFileSync(path)[0]).toBe(0);
    closeSync(fd);
  });
});

describe.skipIf(noDisks !== undefined)('on a full file system', () => {
  it('fallocate reports ENOSPC (so a mapped write can never SIGBUS for lack of space)', async () => {
    const disk = await tinyDisk({ sizeKiB: 256 });
    try {
      const fd = openSync(join(disk.dir, 'big.dat'), 'w+', 0o600);
      expect(() => {
        fallocateSync(fd, 0, 1024 * 1024);
      }).toThrow(expect.objectContaining({ code: 'ENOSPC', syscall: 'fallocate' }));
      await expect(fallocate(fd, 0, 1024 * 1024)).rejects.toMatchObject({ code: 'ENOSPC' });
      closeSync(fd);
    } finally {
      await disk.dispose();
    }
  });
});

describe('tryLockFileSync', () => {
  it('one open file holds the lock; another open of the same file is refused until it unlocks', () => {
    const path = join(dir, 'locked.dat');
    const first = sizedFile(path, pageSize);
    const second = openSync(path, 'r+');
    try {
      expect(tryLockFileSync(first)).toBe(true);
      expect(tryLockFileSync(second)).toBe(false);
      expect(tryLockFileSync(second, 'shared')).toBe(false);
      expect(tryLockFileSync(first, 'unlock')).toBe(true);
      expect(tryLockFileSync(second, 'shared')).toBe(true);
      expect(tryLockFileSync(first, 'shared')).toBe(true);
      expect(tryLockFileSync(first, 'exclusive')).toBe(false);
    } finally {
      closeSync(first);
      closeSync(second);
    }
  });

  it('a lock held by another process is refused, and freed when that process is killed', async () => {
    const path = join(dir, 'held.dat');
    const fd = sizedFile(path, pageSize);
    const { child, done } = runFixture('lock-holder.mjs', [path]);
    try {
      await waitForLine(child, 'locked');
      expect(tryLockFileSync(fd)).toBe(false);
      child.kill('SIGKILL');
      await done;
      expect(tryLockFileSync(fd)).toBe(true);
    } finally {
      child.kill('SIGKILL');
      closeSync(fd);
    }
  });

  it('refuses bad arguments with a code', () => {
    expect(() => tryLockFileSync(-1)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => tryLockFileSync(0, 'forever' as 'shared')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(() => tryLockFileSync(2 ** 30)).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'flock' }));
  });
});

describe('fadviseSync', () => {
  it('accepts each advice over a range or the whole file, and refuses a bad one', () => {
    const fd = sizedFile(join(dir, 'advised.dat'), 4 * pageSize);
    try {
      for (const advice of ['normal', 'random', 'sequential', 'willneed', 'dontneed'] as const) {
        fadviseSync(fd, 0, 0, advice);
        fadviseSync(fd, pageSize, pageSize, advice);
      }
      expect(() => {
        fadviseSync(fd, 0, 0, 'forget' as 'dontneed');
      }).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
      expect(() => {
        fadviseSync(fd, -1, 0, 'dontneed');
      }).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    } finally {
      closeSync(fd);
    }
  });
});

describe.skipIf(noDisks !== undefined)('on a disk whose writes fail', () => {
  it('msync and fsync report EIO for real', async () => {
    const disk = await faultyDisk();
    try {
      const fd = sizedFile(join(disk.dir, 'data.dat'), 64 * pageSize);
      fallocateSync(fd, 0, 64 * pageSize);
      fsyncSync(fd);
      const m = map(fd, { length: 64 * pageSize, access: 'readwrite' });
      disk.failWrites();
      new Uint8Array(m.buffer).fill(0xab);
      await expect(m.msync()).rejects.toMatchObject({ code: 'EIO', errno: 5, syscall: 'msync' });
      new Uint8Array(m.buffer).fill(0xcd, 0, pageSize);
      expect(() => {
        m.msyncSync(0, pageSize);
      }).toThrow(expect.objectContaining({ code: 'EIO' }));
      writeSync(fd, 'more', 0);
      expect(() => {
        fsyncSync(fd);
      }).toThrow(expect.objectContaining({ code: 'EIO', syscall: 'fsync' }));
      m.unmap();
      closeSync(fd);
    } finally {
      await disk.dispose();
    }
  });

  it("after a failed write-back the cache shows data the device never got; fadvise('dontneed') shows the device's", async () => {
    const disk = await faultyDisk();
    try {
      const fd = sizedFile(join(disk.dir, 'lost.dat'), 4 * pageSize);
      fallocateSync(fd, 0, 4 * pageSize);
      fsyncSync(fd);
      disk.failWrites();
      writeSync(fd, Buffer.alloc(pageSize, 0xab), 0, pageSize, 0);
      expect(() => {
        fdatasyncSync(fd);
      }).toThrow(expect.objectContaining({ code: 'EIO' }));
      const read = (): number => {
        const page = Buffer.alloc(pageSize);
        readSync(fd, page, 0, pageSize, 0);
        return page[0] ?? -1;
      };
      // fsyncgate: the kernel marked the page clean, and still serves the lost bytes.
      expect(read()).toBe(0xab);
      fadviseSync(fd, 0, 0, 'dontneed');
      expect(read()).toBe(0);
      closeSync(fd);
    } finally {
      await disk.dispose();
    }
  });
});
