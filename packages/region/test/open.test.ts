// Opening: options checked before the file system is touched; files created 0600
// (or as told) and preallocated; an existing file grown preallocated or mapped in
// part, never shrunk; read-only regions never change the file; failures have codes.
import {
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

import { MapsyncError } from '@mapsync/native';
import { describe, expect, it } from 'vitest';

import { openRegion, openRegionSync, pageSize, type OpenOptions } from '../src/index.js';
import { scratchDir, track, withCode } from './helpers.js';

const dir = scratchDir();

/** This process's umask, read without setting it (process.umask() briefly changes it). */
function umask(): number {
  const line = /^Umask:\s+([0-7]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return Number.parseInt(line?.[1] ?? '022', 8);
}
let files = 0;
const newPath = (): string => join(dir, `o${files++}.dat`);

describe('creating', () => {
  it('creates the file 0600, preallocated to the size (blocks reserved, not a sparse file)', async () => {
    const path = newPath();
    const region = track(await openRegion(path, { mode: 'rw', create: true, size: 64 * pageSize }));
    const stats = statSync(path);
    expect(stats.mode & 0o777).toBe(0o600);
    expect(stats.size).toBe(64 * pageSize);
    expect(stats.blocks * 512).toBeGreaterThanOrEqual(64 * pageSize);
    expect(region.size).toBe(64 * pageSize);
    expect(region.mode).toBe('rw');
  });

  it('uses fileMode when given', () => {
    const path = newPath();
    track(openRegionSync(path, { mode: 'rw', create: true, size: pageSize, fileMode: 0o640 }));
    expect(statSync(path).mode & 0o777).toBe(0o640 & ~umask());
  });

  it('opens an existing file instead of failing when create is set', () => {
    const path = newPath();
    writeFileSync(path, 'existing data');
    const region = track(openRegionSync(path, { mode: 'rw', create: true, size: 13 }));
    expect(Buffer.from(region.read(0, 13)).toString()).toBe('existing data');
  });

  it('removes a file it created when the rest of the open fails', async () => {
    const path = newPath();
    // Larger than any file system here can reserve: fallocate fails after the create.
    await expect(
      openRegion(path, { mode: 'rw', create: true, size: 2 ** 52 }),
    ).rejects.toBeInstanceOf(MapsyncError);
    expect(existsSync(path)).toBe(false);
  });
});

describe('existing files', () => {
  it('grows a smaller file to the size, preallocating only what is new, keeping its bytes', () => {
    const path = newPath();
    writeFileSync(path, 'head');
    const region = track(openRegionSync(path, { mode: 'rw', size: 16 * pageSize }));
    expect(statSync(path).size).toBe(16 * pageSize);
    expect(statSync(path).blocks * 512).toBeGreaterThanOrEqual(15 * pageSize);
    expect(Buffer.from(region.read(0, 4)).toString()).toBe('head');
  });

  it('maps part of a larger file and leaves the file alone', () => {
    const path = newPath();
    writeFileSync(path, Buffer.alloc(8 * pageSize, 7));
    const region = track(openRegionSync(path, { mode: 'rw', size: pageSize }));
    expect(region.size).toBe(pageSize);
    region.close();
    expect(statSync(path).size).toBe(8 * pageSize);
  });

  it('defaults the size to the file size; a read-only region sees the bytes and cannot grow the file', () => {
    const path = newPath();
    writeFileSync(path, 'read me');
    const region = track(openRegionSync(path));
    expect(region.mode).toBe('r');
    expect(region.size).toBe(7);
    expect(Buffer.from(region.bytes()).toString()).toBe('read me');
    expect(() => openRegionSync(path, { size: pageSize })).toThrow(withCode('ERR_FILE_TOO_SMALL'));
    expect(readFileSync(path, 'utf8')).toBe('read me');
  });

  it('refuses an empty file without a size, and anything that is not a regular file', () => {
    const empty = newPath();
    writeFileSync(empty, '');
    expect(() => openRegionSync(empty)).toThrow(withCode('ERR_EMPTY_FILE'));
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    expect(() => openRegionSync(folder)).toThrow(withCode('ERR_NOT_REGULAR_FILE'));
  });

  it('a missing file is ENOENT, as a MapsyncError with the path', async () => {
    const path = join(dir, 'missing.dat');
    let caught: unknown;
    try {
      openRegionSync(path, { mode: 'rw' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MapsyncError);
    expect(caught).toMatchObject({ code: 'ENOENT', syscall: 'open', path });
    await expect(openRegion(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a sparse file is mapped as it is', () => {
    const path = newPath();
    writeFileSync(path, '');
    truncateSync(path, 256 * pageSize);
    const region = track(openRegionSync(path, { mode: 'rw' }));
    expect(region.read(100 * pageSize, 4)).toEqual(new Uint8Array(4));
    expect(statSync(path).blocks).toBe(0);
  });
});

describe('options are checked before the file system is touched', () => {
  const path = join(dir, 'never-created.dat');
  const cases: [string, unknown, string][] = [
    ['mode', { mode: 'w' }, 'ERR_INVALID_ARG_VALUE'],
    ['size 0', { mode: 'rw', size: 0 }, 'ERR_OUT_OF_RANGE'],
    ['fractional size', { mode: 'rw', size: 1.5 }, 'ERR_OUT_OF_RANGE'],
    ['size as a string', { mode: 'rw', size: '4096' }, 'ERR_INVALID_ARG_TYPE'],
    ['create on a read-only region', { mode: 'r', create: true, size: 1 }, 'ERR_INVALID_ARG_VALUE'],
    ['create without a size', { mode: 'rw', create: true }, 'ERR_MISSING_OPTION'],
    ['fileMode without create', { mode: 'rw', fileMode: 0o600 }, 'ERR_INVALID_ARG_VALUE'],
    [
      'fileMode out of range',
      { mode: 'rw', create: true, size: 1, fileMode: 0o10000 },
      'ERR_OUT_OF_RANGE',
    ],
    [
      'an unknown option',
      { mode: 'rw', create: true, size: 1, creat: true },
      'ERR_INVALID_ARG_VALUE',
    ],
    ['options not an object', 'rw', 'ERR_INVALID_ARG_TYPE'],
  ];

  it.each(cases)('%s', async (_name, options, code) => {
    expect(() => openRegionSync(path, options as OpenOptions)).toThrow(withCode(code));
    await expect(openRegion(path, options as OpenOptions)).rejects.toThrow(withCode(code));
    expect(existsSync(path)).toBe(false);
  });

  it('an empty path', () => {
    expect(() => openRegionSync('')).toThrow(withCode('ERR_INVALID_ARG_TYPE'));
  });
});
