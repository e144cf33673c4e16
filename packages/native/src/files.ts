// Durability calls on file descriptors and directories: fsync, fdatasync, an fsync of
// a directory (makes a new file's name durable), and fallocate (reserves blocks, so a
// write into a mapped page can never hit ENOSPC as SIGBUS); plus fadvise (drop or
// prefetch cached pages) and flock (one writer per file across processes).
import { open as openAsync } from 'node:fs/promises';
import { closeSync, constants as fsConstants, openSync } from 'node:fs';
import { constants as osConstants } from 'node:os';

import { FADVISE, FALLOCATE, FLOCK, type FallocateMode, type FileAdvice, type FileLockMode } from './constants.js';
import { check, native } from './native.js';

const { EWOULDBLOCK } = osConstants.errno;
import { checkFd, checkObject, checkOneOf, checkPath, checkSize } from './validate.js';

/** fsync(2): data and metadata of the file reach the device. */
export function fsyncSync(fd: number): void {
  check(native.fsyncSync(checkFd(fd)), 'fsync');
}

/** fsync(2) off the event loop. */
export async function fsync(fd: number): Promise<void> {
  check(await native.fsync(checkFd(fd)), 'fsync');
}

/** fdatasync(2): the data, and only the metadata needed to read it back (e.g. size). */
export function fdatasyncSync(fd: number): void {
  check(native.fdatasyncSync(checkFd(fd)), 'fdatasync');
}

/** fdatasync(2) off the event loop. */
export async function fdatasync(fd: number): Promise<void> {
  check(await native.fdatasync(checkFd(fd)), 'fdatasync');
}

const directoryFlags = fsConstants.O_RDONLY | fsConstants.O_DIRECTORY;

/**
 * fsync of a directory: a file created (or renamed) in it survives a crash only
 * after this returns.
 */
export function fsyncDirectorySync(path: string): void {
  const fd = openSync(checkPath(path), directoryFlags);
  try {
    check(native.fsyncSync(fd), 'fsync', { path });
  } finally {
    closeSync(fd);
  }
}

export async function fsyncDirectory(path: string): Promise<void> {
  const handle = await openAsync(checkPath(path), directoryFlags);
  try {
    check(await native.fsync(handle.fd), 'fsync', { path });
  } finally {
    await handle.close();
  }
}

export interface FallocateOptions {
  /** Default `'allocate'`: reserve blocks and extend the size when the range passes the end. */
  readonly mode?: FallocateMode;
}

function fallocateArgs(fd: number, offset: number, length: number, options: FallocateOptions) {
  checkFd(fd);
  const start = checkSize(offset, 'offset');
  const size = checkSize(length, 'length', Number.MAX_SAFE_INTEGER, 1);
  const modes = Object.keys(FALLOCATE) as FallocateMode[];
  const mode = FALLOCATE[checkOneOf(checkObject(options, 'options').mode ?? 'allocate', modes, 'options.mode')];
  return { start, size, mode, range: { offset: start, length: size } };
}

/** fallocate(2). ENOSPC when the file system cannot reserve the space. */
export function fallocateSync(fd: number, offset: number, length: number, options: FallocateOptions = {}): void {
  const a = fallocateArgs(fd, offset, length, options);
  check(native.fallocateSync(fd, a.mode, a.start, a.size), 'fallocate', { range: a.range });
}

export async function fallocate(
  fd: number,
  offset: number,
  length: number,
  options: FallocateOptions = {},
): Promise<void> {
  const a = fallocateArgs(fd, offset, length, options);
  check(await native.fallocate(fd, a.mode, a.start, a.size), 'fallocate', { range: a.range });
}

/**
 * posix_fadvise(2) over `length` bytes from `offset` (0 = to the end of the file).
 * `'dontneed'` drops the clean cached pages of the range: after a failed write-back
 * the page cache can hold data the device never got, and this is how a reader gets
 * to see the device's version instead.
 */
export function fadviseSync(fd: number, offset: number, length: number, advice: FileAdvice): void {
  checkFd(fd);
  const start = checkSize(offset, 'offset');
  const size = checkSize(length, 'length');
  const value = FADVISE[checkOneOf(advice, Object.keys(FADVISE) as FileAdvice[], 'advice')];
  check(native.fadviseSync(fd, start, size, value), 'posix_fadvise', { range: { offset: start, length: size } });
}

/**
 * Takes (or with `'unlock'` releases) an flock(2) lock on the open file, never
 * waiting: returns false when another open file description holds a conflicting
 * lock. The lock belongs to this descriptor and goes away when it is closed or the
 * process dies, however it dies, so a crashed owner never leaves a stale lock.
 * Converting a held lock is not atomic: a refused conversion leaves no lock.
 */
export function tryLockFileSync(fd: number, mode: FileLockMode = 'exclusive'): boolean {
  checkFd(fd);
  const operation = FLOCK[checkOneOf(mode, Object.keys(FLOCK) as FileLockMode[], 'mode')];
  const status = native.flockSync(fd, operation);
  if (status === -EWOULDBLOCK) return false;
  check(status, 'flock');
  return true;
}
