// Mapping: one mmap() of a file descriptor range, with every call that acts on it.
// The ArrayBuffer over the mapped bytes is detached by unmap() and remap(), so a view
// kept past either can never reach memory that is no longer mapped: a DataView
// throws, a typed array reads as empty.
import { constants as bufferConstants } from 'node:buffer';
import { constants as osConstants } from 'node:os';

import type { NativeHandle } from './binding.js';
import { ADVICE, MS, type Advice, pageSize } from './constants.js';
import { MapsyncError, MapsyncRangeError, MapsyncTypeError } from './errors.js';
import { STATUS_FAULTED, check, constant, native } from './native.js';
import {
  checkAligned,
  checkBoolean,
  checkFd,
  checkObject,
  checkOneOf,
  checkRange,
  checkSize,
} from './validate.js';

export type Access = 'read' | 'readwrite';

export interface PwriteOptions {
  /** Where in the file the bytes go. Default: where the range lies in the mapped file. */
  readonly position?: number;
  /** fdatasync(2) the file after writing. Default false. */
  readonly datasync?: boolean;
}

export interface MapOptions {
  /** Bytes to map; may exceed 4 GiB. Pages past the end of the file raise SIGBUS when touched. */
  readonly length: number;
  /** Offset in the file; a multiple of `pageSize`. Default 0. */
  readonly offset?: number;
  /** `'read'` (PROT_READ) or `'readwrite'` (PROT_READ|PROT_WRITE). Default `'read'`. */
  readonly access?: Access;
  /** MAP_SHARED (default): writes reach the file. `false`: MAP_PRIVATE, copy-on-write, never synced. */
  readonly shared?: boolean;
  /** MAP_POPULATE: fault every page in now instead of on first touch. Default false. */
  readonly populate?: boolean;
}

export interface RemapOptions {
  /** Let the kernel move the mapping when it cannot grow in place. Default true. */
  readonly mayMove?: boolean;
}

export interface MadviseOptions {
  /** Required for advices that lose data or change later reads (dontneed, remove, free, wipeonfork). */
  readonly allowDestructive?: boolean;
}

/** Like Atomics.wait: `'ok'` when woken (possibly spuriously: re-check the word). */
export interface PrefaultOptions {
  /** Fault the pages in writable (default: readable only). */
  readonly write?: boolean;
}

export type FutexWaitResult = 'ok' | 'not-equal' | 'timed-out';

export interface FutexWaitOptions {
  /** Give up after this many milliseconds. Default: wait until woken. */
  readonly timeoutMs?: number;
}

const { errno } = osConstants;
const { EAGAIN, EINTR, ETIMEDOUT, ECANCELED } = errno;

function futexResult(status: number): FutexWaitResult {
  // EINTR is a spurious wake-up: callers re-check the word anyway.
  if (status === 0 || status === -EINTR) return 'ok';
  if (status === -EAGAIN) return 'not-equal';
  if (status === -ETIMEDOUT) return 'timed-out';
  if (status === -ECANCELED) {
    throw new MapsyncError('ECLOSED', 'the mapping was unmapped while waiting on it');
  }
  check(status, 'futex');
  return 'ok';
}

/** Maps `length` bytes of `fd` from `offset`. The fd may be closed afterwards. */
export function map(fd: number, options: MapOptions): Mapping {
  checkFd(fd);
  const opts = checkObject(options, 'options');
  const length = checkSize(opts.length, 'options.length', Number.MAX_SAFE_INTEGER, 1);
  const offset = checkAligned(checkSize(opts.offset ?? 0, 'options.offset'), pageSize, 'options.offset');
  const access = checkOneOf<Access>(opts.access ?? 'read', ['read', 'readwrite'], 'options.access');
  const shared = checkBoolean(opts.shared ?? true, 'options.shared');
  const populate = checkBoolean(opts.populate ?? false, 'options.populate');

  const prot = constant('PROT_READ') | (access === 'readwrite' ? constant('PROT_WRITE') : 0);
  const flags =
    (shared ? constant('MAP_SHARED') : constant('MAP_PRIVATE')) |
    (populate ? constant('MAP_POPULATE') : 0);
  const handle = native.map(fd, length, offset, prot, flags);
  if (typeof handle === 'number') {
    check(handle, 'mmap', { range: { offset, length } });
    throw new Error('unreachable');
  }
  return new Mapping(handle, length, { fileOffset: offset, access, shared });
}

/**
 * The largest ArrayBuffer Node can put over external memory (4 GiB on Node 20:
 * Node-API builds external ArrayBuffers as Buffers). Larger mappings are reached
 * through windows of `LARGE_MAPPING_WINDOW` bytes.
 */
export const MAX_BUFFER_LENGTH: number = bufferConstants.MAX_LENGTH;
/** Window size for mappings larger than MAX_BUFFER_LENGTH (1 GiB, page aligned). */
export const LARGE_MAPPING_WINDOW = 2 ** 30;

export class Mapping implements Disposable {
  readonly #handle: NativeHandle;
  #length: number;
  // Windows handed out so far, by index; they never overlap, so no two ArrayBuffers
  // ever cover the same byte. A mapping that fits one buffer has a single window.
  readonly #windows = new Map<number, ArrayBuffer>();
  #closed = false;
  /** Offset of the first mapped byte in the file. */
  readonly fileOffset: number;
  readonly access: Access;
  readonly shared: boolean;

  /** @internal Use map(). */
  constructor(
    handle: NativeHandle,
    length: number,
    info: { fileOffset: number; access: Access; shared: boolean },
  ) {
    this.#handle = handle;
    this.#length = length;
    this.fileOffset = info.fileOffset;
    this.access = info.access;
    this.shared = info.shared;
  }

  /**
   * All the mapped bytes as one ArrayBuffer. Replaced by remap(); detached by unmap().
   * A mapping larger than MAX_BUFFER_LENGTH has no single buffer: use bytes().
   */
  get buffer(): ArrayBuffer {
    this.#checkOpen();
    if (this.#length > MAX_BUFFER_LENGTH) {
      throw new MapsyncRangeError(
        'ERR_BUFFER_TOO_LARGE',
        `a mapping of ${this.#length} bytes is larger than one ArrayBuffer can be ` +
          `(${MAX_BUFFER_LENGTH} on this Node.js); use bytes(offset, length) windows`,
      );
    }
    return this.#window(0);
  }

  get length(): number {
    return this.#closed ? 0 : this.#length;
  }

  /** Bytes per window: the whole mapping when it fits one ArrayBuffer, else LARGE_MAPPING_WINDOW. */
  get windowSize(): number {
    return this.#length > MAX_BUFFER_LENGTH ? LARGE_MAPPING_WINDOW : this.#length;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * True once a page of this mapping was touched past the end of its file (another
   * process truncated it): the guard mapped zeros there so the process lives, and every
   * later call fails with ETRUNCATED. Unmap and map the file again.
   */
  get faulted(): boolean {
    return !this.#closed && native.faulted(this.#handle);
  }

  /**
   * A Uint8Array over part of the mapping (no copy). Any offset is reachable, past
   * 4 GiB too; on a mapping larger than MAX_BUFFER_LENGTH a view must lie within one
   * window of `windowSize` bytes.
   */
  bytes(offset = 0, length?: number): Uint8Array {
    this.#checkOpen();
    const start = checkSize(offset, 'offset');
    checkRange(start, 0, this.#length, 'the mapping');
    const index = Math.min(Math.floor(start / this.windowSize), this.#windowCount() - 1);
    const windowStart = index * this.windowSize;
    const windowEnd = Math.min(this.#length, windowStart + this.windowSize);
    const size = length === undefined ? windowEnd - start : checkSize(length, 'length');
    checkRange(start, size, this.#length, 'the mapping');
    if (start + size > windowEnd) {
      throw new MapsyncRangeError(
        'ERR_CROSSES_WINDOW',
        `range [${start}, ${start + size}) crosses a ${this.windowSize}-byte window boundary ` +
          `of this ${this.#length}-byte mapping; split it at ${windowEnd}`,
      );
    }
    return new Uint8Array(this.#window(index), start - windowStart, size);
  }

  #windowCount(): number {
    return Math.ceil(this.#length / this.windowSize);
  }

  #window(index: number): ArrayBuffer {
    const cached = this.#windows.get(index);
    if (cached !== undefined) return cached;
    const start = index * this.windowSize;
    const length = Math.min(this.windowSize, this.#length - start);
    const created = native.window(this.#handle, start, length);
    if (typeof created === 'number') {
      check(created, 'mmap', { range: { offset: start, length } });
      throw new Error('unreachable');
    }
    this.#windows.set(index, created);
    return created;
  }

  /**
   * msync(2) on the calling thread. `offset` must be a multiple of `pageSize`; the
   * kernel rounds `length` up to whole pages. Default: the whole mapping, MS.SYNC.
   */
  msyncSync(offset = 0, length?: number, flags: number = MS.SYNC): void {
    // The addon checks for a truncation fault itself: one crossing, not two.
    const range = this.#pageRange(offset, length, false);
    const status = native.msyncSync(this.#handle, range.offset, range.length, checkFlags(flags));
    if (status === STATUS_FAULTED) throw this.#truncatedError();
    check(status, 'msync', { range });
  }

  /** msync(2) on a thread-pool thread: the event loop keeps running while the disk works. */
  async msync(offset = 0, length?: number, flags: number = MS.SYNC): Promise<void> {
    const range = this.#pageRange(offset, length, false);
    const status = await native.msync(this.#handle, range.offset, range.length, checkFlags(flags));
    if (status === STATUS_FAULTED) throw this.#truncatedError();
    check(status, 'msync', { range });
  }

  /**
   * pwrite(2) of the mapping's bytes [offset, offset + length) into `fd`, then
   * fdatasync(2) with `{ datasync: true }`, on the calling thread. What a private
   * (copy-on-write) mapping's changes need to reach their file: stores into it take
   * no write fault after each sync, where a shared mapping's do after every msync.
   */
  pwriteSync(fd: number, offset: number, length: number, options: PwriteOptions = {}): void {
    const [range, position, datasync] = this.#writeArgs(fd, offset, length, options);
    const status = native.pwriteSync(this.#handle, range.offset, range.length, fd, position, datasync);
    if (status === STATUS_FAULTED) throw this.#truncatedError();
    check(status, datasync ? 'pwrite+fdatasync' : 'pwrite', { range });
  }

  /** pwriteSync on a thread-pool thread, write and fdatasync in one trip. */
  async pwrite(fd: number, offset: number, length: number, options: PwriteOptions = {}): Promise<void> {
    const [range, position, datasync] = this.#writeArgs(fd, offset, length, options);
    const status = await native.pwrite(this.#handle, range.offset, range.length, fd, position, datasync);
    if (status === STATUS_FAULTED) throw this.#truncatedError();
    check(status, datasync ? 'pwrite+fdatasync' : 'pwrite', { range });
  }

  #writeArgs(
    fd: number,
    offset: number,
    length: number,
    options: PwriteOptions,
  ): [{ offset: number; length: number }, number, boolean] {
    this.#checkOpen();
    checkFd(fd);
    const start = checkSize(offset, 'offset');
    const size = checkSize(length, 'length');
    checkRange(start, size, this.#length, 'the mapping');
    const opts = checkObject(options, 'options');
    const position = checkSize(opts.position ?? this.fileOffset + start, 'options.position');
    return [{ offset: start, length: size }, position, checkBoolean(opts.datasync ?? false, 'options.datasync')];
  }

  /** madvise(2). Destructive advices (see ADVICE) need `{ allowDestructive: true }`. */
  madvise(offset: number, length: number, advice: Advice, options: MadviseOptions = {}): void {
    const range = this.#pageRange(offset, length);
    const info = ADVICE[checkOneOf(advice, Object.keys(ADVICE), 'advice')];
    if (info === undefined) throw new Error('unreachable');
    if (info.destructive && checkObject(options, 'options').allowDestructive !== true) {
      throw new MapsyncTypeError(
        'ERR_DESTRUCTIVE_ADVICE',
        `madvise '${advice}' ${info.meaning}; pass { allowDestructive: true } to mean it`,
      );
    }
    check(native.madvise(this.#handle, range.offset, range.length, info.value), 'madvise', { range });
  }

  /**
   * Faults the range's pages in now, on a thread-pool thread (madvise
   * MADV_POPULATE_READ, or MADV_POPULATE_WRITE with `{ write: true }`): later reads
   * (or stores) of those pages take no page fault on the calling thread. A store
   * fault on a file page costs microseconds (the file system prepares the page for
   * writing), so an appender that writes fresh pages gains by having them faulted in
   * ahead. Write population marks the pages dirty, as a store would (their content is
   * unchanged). Rejects with ENOTSUP where the kernel (before 5.14) lacks it, and with
   * ECLOSED when the mapping is unmapped meanwhile (it stops within 256 KiB).
   */
  async prefault(offset = 0, length?: number, options: PrefaultOptions = {}): Promise<void> {
    const range = this.#pageRange(offset, length);
    const write = checkBoolean(checkObject(options, 'options').write ?? false, 'options.write');
    const info = ADVICE[write ? 'populate_write' : 'populate_read'];
    if (info === undefined) {
      throw new MapsyncError('ENOTSUP', 'this system has no MADV_POPULATE_READ/WRITE (Linux 5.14+)', { range });
    }
    const status = await native.madviseAsync(this.#handle, range.offset, range.length, info.value);
    if (status === -ECANCELED) throw new MapsyncError('ECLOSED', 'the mapping was unmapped while it was being prefaulted', { range });
    check(status, 'madvise', { range });
  }

  /**
   * mincore(2): one entry per page of the range, 1 when the page is in the page
   * cache (resident), 0 otherwise.
   */
  mincore(offset = 0, length?: number): Uint8Array {
    const range = this.#pageRange(offset, length);
    const pages = new Uint8Array(Math.ceil(range.length / pageSize));
    check(native.mincore(this.#handle, range.offset, range.length, pages), 'mincore', { range });
    for (let i = 0; i < pages.length; i++) pages[i] = (pages[i] ?? 0) & 1;
    return pages;
  }

  /** mlock(2): keep the range resident (needs CAP_IPC_LOCK or RLIMIT_MEMLOCK room). */
  mlock(offset = 0, length?: number): void {
    const range = this.#pageRange(offset, length);
    check(native.mlock(this.#handle, range.offset, range.length), 'mlock', { range });
  }

  munlock(offset = 0, length?: number): void {
    const range = this.#pageRange(offset, length);
    check(native.munlock(this.#handle, range.offset, range.length), 'munlock', { range });
  }

  /**
   * mremap(2) (Linux): resize the mapping. Every buffer and view handed out so far is
   * detached, even when the address did not move; `buffer` and `bytes()` give fresh
   * ones. Refused with EBUSY while an async msync or futex wait runs on this mapping.
   */
  remap(newLength: number, options: RemapOptions = {}): void {
    this.#checkOpen();
    const length = checkSize(newLength, 'newLength', Number.MAX_SAFE_INTEGER, 1);
    const mayMove = checkBoolean(checkObject(options, 'options').mayMove ?? true, 'options.mayMove');
    check(native.remap(this.#handle, [...this.#windows.values()], length, mayMove), 'mremap', {
      range: { offset: 0, length },
    });
    this.#windows.clear();
    this.#length = length;
  }

  /**
   * Waits while the 32-bit word at `offset` equals `expected`, on a dedicated thread
   * (never libuv's pool). Works across processes on a shared file mapping.
   */
  async futexWait(offset: number, expected: number, options: FutexWaitOptions = {}): Promise<FutexWaitResult> {
    const [at, value, timeout] = this.#futexArgs(offset, expected, options);
    return futexResult(await native.futexWait(this.#handle, at, value, timeout));
  }

  /** The same wait, blocking the calling thread (useful in worker threads). */
  futexWaitSync(offset: number, expected: number, options: FutexWaitOptions = {}): FutexWaitResult {
    const [at, value, timeout] = this.#futexArgs(offset, expected, options);
    return futexResult(native.futexWaitSync(this.#handle, at, value, timeout));
  }

  /** Wakes up to `count` waiters on the word at `offset`; returns how many woke. */
  futexWake(offset: number, count = 1): number {
    this.#checkOpen();
    const at = checkAligned(checkSize(offset, 'offset'), 4, 'offset');
    checkRange(at, 4, this.length, 'the mapping');
    const n = checkSize(count, 'count', 0x7fffffff);
    return check(native.futexWake(this.#handle, at, n), 'futex');
  }

  /**
   * munmap(2). The buffer is detached first, so no view can touch the address again.
   * An async msync or futex wait still running keeps the pages mapped until it ends.
   * Unmapping twice is an error (ECLOSED).
   */
  unmap(): void {
    if (this.#closed) throw new MapsyncError('ECLOSED', 'the mapping was unmapped');
    this.#closed = true;
    const windows = [...this.#windows.values()];
    this.#windows.clear();
    check(native.unmap(this.#handle, windows), 'munmap');
  }

  [Symbol.dispose](): void {
    if (!this.#closed) this.unmap();
  }

  /** `faults`: also refuse a mapping the SIGBUS guard caught a fault in (ETRUNCATED). */
  #checkOpen(faults = true): void {
    if (this.#closed) throw new MapsyncError('ECLOSED', 'the mapping was unmapped');
    if (faults && native.faulted(this.#handle)) throw this.#truncatedError();
  }

  #truncatedError(): MapsyncError {
    return new MapsyncError(
      'ETRUNCATED',
      'a page of this mapping lay past the end of its file (was the file truncated by another process?); ' +
        'what was read there reads as zeros and writes there are lost: unmap and map it again',
      { range: { offset: 0, length: this.#length } },
    );
  }

  #pageRange(offset: number, length: number | undefined, faults = true): { offset: number; length: number } {
    this.#checkOpen(faults);
    const start = checkAligned(checkSize(offset, 'offset'), pageSize, 'offset');
    const size =
      length === undefined ? this.length - Math.min(start, this.length) : checkSize(length, 'length');
    checkRange(start, size, this.length, 'the mapping');
    return { offset: start, length: size };
  }

  #futexArgs(offset: number, expected: number, options: FutexWaitOptions): [number, number, number] {
    this.#checkOpen();
    const at = checkAligned(checkSize(offset, 'offset'), 4, 'offset');
    checkRange(at, 4, this.length, 'the mapping');
    const value = checkSize(expected, 'expected', 0xffffffff);
    const timeoutMs = checkObject(options, 'options').timeoutMs;
    const timeout = timeoutMs === undefined ? -1 : checkSize(timeoutMs, 'options.timeoutMs');
    return [at, value, timeout];
  }
}

const knownFlags = MS.SYNC | MS.ASYNC | MS.INVALIDATE;

function checkFlags(flags: number): number {
  checkSize(flags, 'flags', 0x7fffffff);
  if ((flags & ~knownFlags) !== 0) {
    throw new MapsyncTypeError(
      'ERR_INVALID_ARG_VALUE',
      `flags must combine MS.SYNC, MS.ASYNC and MS.INVALIDATE, received ${flags}`,
    );
  }
  return flags;
}
