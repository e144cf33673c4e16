// The real LogVolume: segment files in a directory, mapped with @mapsync/native.
import {
  closeSync,
  fstatSync,
  mkdirSync,
  statSync,
  openSync,
  readdirSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

import {
  MapsyncError,
  fallocateSync,
  fsyncDirectorySync,
  fsyncSync,
  map,
  pageSize,
  type Mapping,
} from '@mapsync/native';

import type { LogVolume, SegmentFile } from './volume.js';

export type SyncMethod = 'msync' | 'fdatasync';

class MappedSegment implements SegmentFile {
  readonly bytes: Uint8Array;
  readonly #mapping: Mapping;

  constructor(mapping: Mapping) {
    this.#mapping = mapping;
    this.bytes = mapping.bytes(0, mapping.length);
  }

  async flush(offset: number, length: number): Promise<void> {
    const start = offset - (offset % pageSize);
    await this.#mapping.msync(start, Math.min(length + (offset - start), this.#mapping.length - start));
  }

  flushSync(offset: number, length: number): void {
    const start = offset - (offset % pageSize);
    this.#mapping.msyncSync(start, Math.min(length + (offset - start), this.#mapping.length - start));
  }

  close(): void {
    if (!this.#mapping.closed) this.#mapping.unmap();
  }
}

export class FileVolume implements LogVolume {
  readonly location: string;
  readonly #fileMode: number;

  /** `create`: make the directory if missing (owners of a log); readers never do. */
  constructor(dir: string, options: { fileMode?: number; create?: boolean } = {}) {
    this.location = dir;
    this.#fileMode = options.fileMode ?? 0o600;
    if (options.create === true) mkdirSync(dir, { recursive: true, mode: 0o700 });
    else if (!statSync(dir).isDirectory()) {
      throw new MapsyncError('ENOTDIR', `${dir} is not a directory`, { path: dir, errno: 20 });
    }
  }

  list(): string[] {
    return readdirSync(this.location);
  }

  create(name: string, size: number, initial: Uint8Array): SegmentFile {
    const temporary = join(this.location, `${name}.tmp`);
    // O_CREAT|O_EXCL: never write through a file or link someone planted at this name.
    const fd = openSync(temporary, 'wx+', this.#fileMode);
    try {
      try {
        fallocateSync(fd, 0, size);
        writeSync(fd, initial, 0, initial.length, 0);
        fsyncSync(fd);
      } catch (error) {
        // Leave nothing half made behind (a retry would find the name taken).
        unlinkSync(temporary);
        throw error;
      }
      renameSync(temporary, join(this.location, name));
      fsyncDirectorySync(this.location);
      return new MappedSegment(map(fd, { length: size, access: 'readwrite' }));
    } finally {
      closeSync(fd);
    }
  }

  recycle(from: string, name: string, initial: Uint8Array): SegmentFile {
    const temporary = join(this.location, `${name}.tmp`);
    renameSync(join(this.location, from), temporary);
    const fd = openSync(temporary, 'r+');
    try {
      const size = fstatSync(fd).size;
      // Keeps the blocks (no allocation, no ENOSPC later) but makes them read as zeros,
      // without writing them: stale records cannot survive into the new segment.
      fallocateSync(fd, 0, size, { mode: 'zero-range' });
      writeSync(fd, initial, 0, initial.length, 0);
      fsyncSync(fd);
      renameSync(temporary, join(this.location, name));
      fsyncDirectorySync(this.location);
      return new MappedSegment(map(fd, { length: size, access: 'readwrite' }));
    } finally {
      closeSync(fd);
    }
  }

  open(name: string, writable: boolean): SegmentFile {
    const fd = openSync(join(this.location, name), writable ? 'r+' : 'r');
    try {
      const size = fstatSync(fd).size;
      if (size === 0) {
        throw new MapsyncError('ECORRUPT', `segment ${name} in ${this.location} is empty`, {
          path: join(this.location, name),
        });
      }
      return new MappedSegment(map(fd, { length: size, access: writable ? 'readwrite' : 'read' }));
    } finally {
      closeSync(fd);
    }
  }

  rename(from: string, to: string): void {
    renameSync(join(this.location, from), join(this.location, to));
    fsyncDirectorySync(this.location);
  }

  remove(name: string): void {
    unlinkSync(join(this.location, name));
    fsyncDirectorySync(this.location);
  }
}
