// The real LogVolume: segment files in a directory, mapped as @mapsync/region regions —
// except the files a caller writes with { writeBack: 'pwrite' } (the log's segments),
// mapped privately and written by range (see WriteSegment). Either way a failed flush
// poisons the file, so a retried flush can never "succeed" over lost pages.
import {
  closeSync,
  constants as fsConstants,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

import {
  MapsyncError,
  type Mapping,
  fadviseSync,
  fallocateSync,
  fdatasyncSync,
  fsyncDirectorySync,
  fsyncSync,
  map,
  pageSize,
  tryLockFileSync,
} from '@mapsync/native';
import {
  createFileOnce,
  openRegionSync,
  type ReadonlyRegion,
  type WritableRegion,
} from '@mapsync/region';

import {
  spanning,
  type ByteSpan,
  type LogVolume,
  type SegmentFile,
  type SegmentOptions,
} from './volume.js';

function isWritable(region: WritableRegion | ReadonlyRegion): region is WritableRegion {
  return region.mode === 'rw';
}

class RegionSegment implements SegmentFile {
  readonly bytes: Uint8Array;
  readonly #region: WritableRegion | undefined;
  readonly #readonly: ReadonlyRegion;

  constructor(region: WritableRegion | ReadonlyRegion) {
    this.#readonly = region;
    this.#region = isWritable(region) ? region : undefined;
    // The log never writes through a segment it opened for reading (scan and readLog
    // only read), so one type serves both.
    this.bytes = region.bytes(0, region.size);
  }

  // One msync over both ranges: it writes only the dirty pages between them.
  async flush(offset: number, length: number, also?: ByteSpan): Promise<void> {
    await this.#writable().flush(spanning(offset, length, also));
  }

  flushSync(offset: number, length: number, also?: ByteSpan): void {
    const range = spanning(offset, length, also);
    // The caller knows what it wrote: the lean call, not a flush's bookkeeping.
    this.#writable().syncRangeSync(range.offset, range.length);
  }

  zeroFromSync(offset: number): void {
    this.bytes.fill(0, offset);
    this.flushSync(offset, this.bytes.length - offset);
  }

  syncFileSync(): void {
    this.flushSync(0, this.bytes.length);
  }

  close(): void {
    if (!this.#readonly.closed) this.#readonly.close();
  }

  #writable(): WritableRegion {
    if (this.#region === undefined) {
      throw new MapsyncError('EBADF', `segment ${this.#readonly.path} was opened for reading`, {
        path: this.#readonly.path,
      });
    }
    return this.#region;
  }
}

const ZEROS = new Uint8Array(1024 * 1024);
const RELEASE_STEP = 1024 * 1024;

/** Whole pages [from, to) of a file. */
interface PageRun {
  readonly from: number;
  readonly to: number;
}

/**
 * A segment the log writes: records are stored into a private (copy-on-write) mapping
 * of the file and reach it by pwrite + fdatasync of the range a flush covers (writes by
 * pwrite and reads through a mapping, as in LMDB's default mode). Through a shared
 * mapping every commit paid a write fault: msync write-protects each page it cleans, so
 * the next store into that page faults (and on two vCPUs, each write-protect is a
 * TLB-shootdown interrupt). Private pages are never write-protected again; the file's
 * page cache, which every reader maps, receives the bytes at flush time, so another
 * process never sees a record before its flush starts.
 */
class WriteSegment implements SegmentFile {
  readonly bytes: Uint8Array;
  readonly #path: string;
  readonly #mapping: Mapping;
  // Two descriptors, each with its own cursor over the file's write-back errors: an
  // fdatasync reports a failed write-back to the first descriptor that asks, so one
  // shared by async flushes and commitSync could hand a commitSync a clean result for
  // pages an overlapping async flush had just seen fail.
  readonly #asyncFd: number;
  readonly #syncFd: number;
  #failure: Error | undefined;
  /** Private copies of pages before this offset (page 0 aside) are given back. */
  #releasedTo = 0;
  #closed = false;
  /** Asynchronous flushes not yet finished. */
  #flushing = 0;

  constructor(path: string) {
    this.#path = path;
    const flags = fsConstants.O_RDWR | fsConstants.O_NOFOLLOW;
    this.#asyncFd = openSync(path, flags);
    try {
      this.#syncFd = openSync(path, flags);
      try {
        this.#mapping = map(this.#asyncFd, {
          length: fstatSync(this.#asyncFd).size,
          access: 'readwrite',
          shared: false,
        });
      } catch (error) {
        closeSync(this.#syncFd);
        throw error;
      }
    } catch (error) {
      closeSync(this.#asyncFd);
      throw error;
    }
    this.bytes = this.#mapping.bytes();
  }

  async flush(offset: number, length: number, also?: ByteSpan): Promise<void> {
    const [first, last] = this.#pages(offset, length, also);
    this.#flushing++;
    try {
      // The first of two ranges goes into the page cache here (no wait on the disk), so
      // one trip to the thread pool writes the last and syncs both.
      if (last !== undefined)
        this.#mapping.pwriteSync(this.#asyncFd, first.from, first.to - first.from);
      const final = last ?? first;
      await this.#mapping.pwrite(this.#asyncFd, final.from, final.to - final.from, {
        datasync: true,
      });
    } catch (error) {
      throw this.#failed(error);
    } finally {
      if (--this.#flushing === 0 && this.#closed) this.#closeFiles();
    }
  }

  flushSync(offset: number, length: number, also?: ByteSpan): void {
    const [first, last] = this.#pages(offset, length, also);
    try {
      if (last !== undefined)
        this.#mapping.pwriteSync(this.#syncFd, first.from, first.to - first.from);
      const final = last ?? first;
      this.#mapping.pwriteSync(this.#syncFd, final.from, final.to - final.from, { datasync: true });
    } catch (error) {
      throw this.#failed(error);
    }
  }

  /**
   * Whole pages go through the file, from a small buffer of zeros (their private copies,
   * if any, dropped), so zeroing most of a segment copies none of it into memory; only
   * the page holding `offset` is zeroed in the mapping, as its bytes before `offset` stay.
   */
  zeroFromSync(offset: number): void {
    this.#checkUsable();
    const size = this.bytes.length;
    const pageEnd = Math.min(size, offset + ((pageSize - (offset % pageSize)) % pageSize));
    try {
      if (pageEnd < size) {
        this.#mapping.madvise(pageEnd, size - pageEnd, 'dontneed', { allowDestructive: true });
        for (let at = pageEnd; at < size;) {
          const written = writeSync(this.#syncFd, ZEROS, 0, Math.min(ZEROS.length, size - at), at);
          // A regular file takes at least a byte or fails: never loop on nothing.
          if (written === 0) {
            throw new MapsyncError('EIO', `writing zeros into ${this.#path} made no progress`, {
              path: this.#path,
            });
          }
          at += written;
        }
      }
      if (offset < pageEnd) {
        this.bytes.fill(0, offset, pageEnd);
        const run = this.#pageRun(offset, pageEnd - offset);
        this.#mapping.pwriteSync(this.#syncFd, run.from, run.to - run.from, { datasync: true });
      } else {
        fdatasyncSync(this.#syncFd);
      }
    } catch (error) {
      throw this.#failed(error);
    }
  }

  syncFileSync(): void {
    this.#checkUsable();
    try {
      fdatasyncSync(this.#syncFd);
    } catch (error) {
      throw this.#failed(error);
    }
  }

  isFlushing(): boolean {
    return this.#flushing > 0;
  }

  /**
   * Drops the private copies of the whole pages before `before`, in steps of at least
   * RELEASE_STEP (one madvise per MiB the log flushes, not one per commit) or all at
   * once at the end, so a large segment never holds a segment's worth of them. Page 0
   * stays: the log rewrites its mark slots after flushing it.
   */
  release(before = this.bytes.length): void {
    if (this.#closed) return;
    const from = Math.max(this.#releasedTo, pageSize);
    const to = before - (before % pageSize);
    if (to <= from || (to - from < RELEASE_STEP && before < this.bytes.length)) return;
    try {
      this.#mapping.madvise(from, to - from, 'dontneed', { allowDestructive: true });
      this.#releasedTo = to;
    } catch {
      // Only memory is at stake (the pages are on disk): keep it rather than fail a flush
      // that succeeded. The next release tries again.
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // A flush on the thread pool keeps the pages mapped (the addon defers the unmap)
    // and its descriptor open: closed now, the number could be reused by another file
    // before the pool thread's pwrite runs.
    this.#mapping.unmap();
    if (this.#flushing === 0) this.#closeFiles();
  }

  #closeFiles(): void {
    closeSync(this.#asyncFd);
    closeSync(this.#syncFd);
  }

  /**
   * The whole pages of the ranges, as msync would write them, in file order: one run
   * when they touch, else two. Empty ranges are left out (at least one is not).
   */
  #pages(
    offset: number,
    length: number,
    also: ByteSpan | undefined,
  ): [PageRun] | [PageRun, PageRun] {
    this.#checkUsable();
    const main = this.#pageRun(offset, length);
    if (also === undefined || also.length === 0) return [main];
    const extra = this.#pageRun(also.offset, also.length);
    if (length === 0) return [extra];
    const [first, second] = extra.from < main.from ? [extra, main] : [main, extra];
    if (second.from <= first.to) return [{ from: first.from, to: Math.max(first.to, second.to) }];
    return [first, second];
  }

  #pageRun(offset: number, length: number): PageRun {
    const end = offset + length;
    const to = end + ((pageSize - (end % pageSize)) % pageSize);
    return { from: offset - (offset % pageSize), to: Math.min(this.bytes.length, to) };
  }

  /**
   * After a failed write-back Linux marks the pages clean, and a later fdatasync reports
   * success without writing them: once one flush failed, every later one fails with
   * the same error.
   */
  #checkUsable(): void {
    if (this.#closed)
      throw new MapsyncError('ECLOSED', `segment ${this.#path} is closed`, { path: this.#path });
    if (this.#failure !== undefined) throw this.#failure;
  }

  #failed(error: unknown): Error {
    const failure = error instanceof Error ? error : new Error(String(error));
    this.#failure ??= failure;
    return failure;
  }
}

/** Held (flock) by the one process that writes the directory's files. */
export const LOCK_FILE = 'wal.lock';

export interface FileVolumeOptions {
  readonly fileMode?: number;
  /** Make the directory if missing (owners of a log); readers never do. */
  readonly create?: boolean;
  /** Take the writer's lock, or fail with ELOCKED if another open file holds it. */
  readonly lock?: boolean;
}

export class FileVolume implements LogVolume {
  readonly location: string;
  readonly #fileMode: number;
  #lockFd: number | undefined;

  constructor(dir: string, options: FileVolumeOptions = {}) {
    this.location = dir;
    this.#fileMode = options.fileMode ?? 0o600;
    if (options.create === true) mkdirSync(dir, { recursive: true, mode: 0o700 });
    else if (!statSync(dir).isDirectory()) {
      throw new MapsyncError('ENOTDIR', `${dir} is not a directory`, { path: dir, errno: 20 });
    }
    if (options.lock === true) this.#lock();
  }

  release(): void {
    if (this.#lockFd === undefined) return;
    closeSync(this.#lockFd);
    this.#lockFd = undefined;
  }

  // Two writers would each append at what they think is the end and overwrite each
  // other's acknowledged records. The lock dies with its process, so a crashed writer
  // never blocks the next one.
  #lock(): void {
    const path = join(this.location, LOCK_FILE);
    const fd = openSync(
      path,
      fsConstants.O_RDWR | fsConstants.O_CREAT | fsConstants.O_NOFOLLOW,
      this.#fileMode,
    );
    let locked = false;
    try {
      locked = tryLockFileSync(fd);
    } finally {
      if (!locked) closeSync(fd);
    }
    if (!locked) {
      throw new MapsyncError(
        'ELOCKED',
        `${this.location} is open for writing elsewhere (another process, or another open log or page store in this one); ` +
          'one writer at a time. Readers (readLog, inspectLog) need no lock.',
        { path },
      );
    }
    this.#lockFd = fd;
  }

  list(): string[] {
    return readdirSync(this.location);
  }

  create(name: string, size: number, initial: Uint8Array, options?: SegmentOptions): SegmentFile {
    const path = join(this.location, name);
    if (!createFileOnce(path, { size, initial, fileMode: this.#fileMode })) {
      throw new MapsyncError('EEXIST', `${path} already exists`, { path, errno: 17 });
    }
    return this.open(name, true, options);
  }

  recycle(from: string, name: string, initial: Uint8Array, options?: SegmentOptions): SegmentFile {
    const temporary = join(this.location, `${name}.tmp`);
    renameSync(join(this.location, from), temporary);
    const fd = openSync(temporary, 'r+');
    try {
      // Keeps the blocks (no allocation, no ENOSPC later) but makes them read as zeros,
      // without writing them: stale records cannot survive into the new segment.
      fallocateSync(fd, 0, fstatSync(fd).size, { mode: 'zero-range' });
      this.#seal(fd, initial);
    } finally {
      closeSync(fd);
    }
    return this.#publish(temporary, name, options);
  }

  open(name: string, writable: boolean, options?: SegmentOptions): SegmentFile {
    const path = join(this.location, name);
    if (statSync(path).size === 0) {
      throw new MapsyncError('ECORRUPT', `segment ${name} in ${this.location} is empty`, { path });
    }
    if (!writable) return new RegionSegment(openRegionSync(path));
    dropCleanCache(path);
    if (options?.writeBack === 'pwrite') return new WriteSegment(path);
    return new RegionSegment(openRegionSync(path, { mode: 'rw' }));
  }

  rename(from: string, to: string): void {
    renameSync(join(this.location, from), join(this.location, to));
    fsyncDirectorySync(this.location);
  }

  remove(name: string): void {
    unlinkSync(join(this.location, name));
    fsyncDirectorySync(this.location);
  }

  /** Writes the file's first bytes and makes its content durable. */
  #seal(fd: number, initial: Uint8Array): void {
    writeSync(fd, initial, 0, initial.length, 0);
    fsyncSync(fd);
  }

  /** Renames a prepared file into place, durably, and maps it. */
  #publish(temporary: string, name: string, options: SegmentOptions | undefined): SegmentFile {
    renameSync(temporary, join(this.location, name));
    fsyncDirectorySync(this.location);
    return this.open(name, true, options);
  }
}

/**
 * Drops the file's clean cached pages, so what the writer recovers from is what the
 * device holds. After a failed write-back (in a process that died since, or this one)
 * the kernel keeps serving bytes that never reached the device, as clean pages: trusted,
 * they would let recovery vouch for records that a power loss would take away. Dirty
 * pages (a crashed process's writes, not yet written back) stay; recovery flushes them.
 * Best effort: pages mapped by another process, or under write-back, stay too.
 */
function dropCleanCache(path: string): void {
  const fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
  try {
    fadviseSync(fd, 0, 0, 'dontneed');
  } finally {
    closeSync(fd);
  }
}
