// The real LogVolume: segment files in a directory, each mapped as a @mapsync/region
// region — the storage seam every layer above the mapping API goes through. A region
// aligns flush ranges to pages and poisons itself after a failed flush, so a retried
// flush can never "succeed" over lost pages.
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
  fadviseSync,
  fallocateSync,
  fsyncDirectorySync,
  fsyncSync,
  tryLockFileSync,
} from '@mapsync/native';
import { createFileOnce, openRegionSync, type ReadonlyRegion, type WritableRegion } from '@mapsync/region';

import type { LogVolume, SegmentFile } from './volume.js';

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

  async flush(offset: number, length: number): Promise<void> {
    await this.#writable().flush({ offset, length });
  }

  flushSync(offset: number, length: number): void {
    // The log knows what it wrote: the lean call, not a flush's bookkeeping.
    this.#writable().syncRangeSync(offset, length);
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
    const fd = openSync(path, fsConstants.O_RDWR | fsConstants.O_CREAT | fsConstants.O_NOFOLLOW, this.#fileMode);
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

  create(name: string, size: number, initial: Uint8Array): SegmentFile {
    const path = join(this.location, name);
    if (!createFileOnce(path, { size, initial, fileMode: this.#fileMode })) {
      throw new MapsyncError('EEXIST', `${path} already exists`, { path, errno: 17 });
    }
    return this.open(name, true);
  }

  recycle(from: string, name: string, initial: Uint8Array): SegmentFile {
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
    return this.#publish(temporary, name);
  }

  open(name: string, writable: boolean): SegmentFile {
    const path = join(this.location, name);
    if (statSync(path).size === 0) {
      throw new MapsyncError('ECORRUPT', `segment ${name} in ${this.location} is empty`, { path });
    }
    if (writable) dropCleanCache(path);
    return new RegionSegment(writable ? openRegionSync(path, { mode: 'rw' }) : openRegionSync(path));
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
  #publish(temporary: string, name: string): SegmentFile {
    renameSync(temporary, join(this.location, name));
    fsyncDirectorySync(this.location);
    return this.open(name, true);
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
