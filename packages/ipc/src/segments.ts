// The queue's segment files, mapped on demand through @mapsync/region (the storage
// seam) and kept mapped while this process uses them: segments below every tailer of
// the queue object (below its appender, when it has no tailer) are let go. A segment is created by whoever first
// needs it, atomically (see files.ts), and checked when mapped.
import { existsSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

import { MapsyncError, fsyncDirectorySync } from '@mapsync/native';
import { createFileOnce, openRegionSync, type WritableRegion } from '@mapsync/region';

import { SEGMENT_HEADER_SIZE, encodeSegmentHeader, parseSegmentFileName, segmentFileName, segmentHeaderProblem } from './format.js';

export interface MappedSegment {
  readonly index: number;
  readonly region: WritableRegion;
  readonly bytes: Uint8Array;
  /** For the atomic loads, stores and compare-and-swaps on record header words. */
  readonly words: Int32Array;
}

/**
 * The segment one user of the store reads or writes now; -1 before its first. A reader
 * (a tailer, a flush) holds on to its segment and those after it. The appender's
 * cursor holds nothing back: it only lets go of segments behind it when no reader is
 * open (a producer-only process). It re-maps its segment if that was let go, and a
 * process that appended once and then only tails does not keep everything since.
 */
export interface SegmentCursor {
  readonly reads: boolean;
  index: number;
  /** Its user's own reference to its segment, dropped here when the store lets go of it. */
  segment?: MappedSegment | undefined;
}

export class SegmentStore {
  readonly dir: string;
  readonly segmentSize: number;
  readonly #fileMode: number;
  readonly #mapped = new Map<number, MappedSegment>();
  readonly #cursors = new Set<SegmentCursor>();

  constructor(dir: string, segmentSize: number, fileMode: number) {
    this.dir = dir;
    this.segmentSize = segmentSize;
    this.#fileMode = fileMode;
  }

  /** The segment, mapped; created first when `create` and it does not exist yet. */
  get(index: number, create: boolean): MappedSegment | undefined {
    const cached = this.#mapped.get(index);
    if (cached !== undefined) return cached;
    const name = segmentFileName(index);
    const path = join(this.dir, name);
    if (!existsSync(path)) {
      if (!create) return undefined;
      createFileOnce(path, { size: this.segmentSize, initial: encodeSegmentHeader(index, this.segmentSize), fileMode: this.#fileMode });
    }
    const region = openRegionSync(path, { mode: 'rw' });
    const bytes = region.bytes(0, Math.min(region.size, this.segmentSize));
    const problem =
      region.size !== this.segmentSize
        ? `is ${region.size} bytes, the queue's segments are ${this.segmentSize}`
        : segmentHeaderProblem(bytes.subarray(0, SEGMENT_HEADER_SIZE), index, this.segmentSize);
    if (problem !== undefined) {
      region.close();
      throw new MapsyncError('EFORMAT', `${path} ${problem}`, { path });
    }
    const segment = {
      index,
      region,
      bytes,
      words: new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2),
    };
    this.#mapped.set(index, segment);
    return segment;
  }

  /** A cursor for one user of the store, until untrack(). */
  track(reads: boolean): SegmentCursor {
    const cursor = { reads, index: -1 };
    this.#cursors.add(cursor);
    return cursor;
  }

  untrack(cursor: SegmentCursor): void {
    this.#cursors.delete(cursor);
    this.#letGo();
  }

  /** The cursor's user has moved to segment `index` (forward: positions never go back). */
  moveTo(cursor: SegmentCursor, index: number): void {
    if (cursor.index === index) return;
    cursor.index = index;
    this.#letGo();
  }

  /**
   * Closes the segments below every cursor. A long-lived consumer would otherwise keep
   * every segment it ever read mapped, with its file open: a segment that retention
   * deleted would keep its disk space, and the mappings would pile up. Records already
   * handed out stay readable (keepViews): a segment's mapping goes with the last view of
   * it, when the garbage collector collects that. A user that comes back for one (a new
   * tailer from the beginning, a flush from an old durable point) maps it again.
   */
  #letGo(): void {
    let low = Infinity;
    let written = Infinity;
    for (const { reads, index } of this.#cursors) {
      if (index < 0) continue;
      if (reads) low = Math.min(low, index);
      else written = Math.min(written, index);
    }
    if (low === Infinity) low = written;
    for (const index of this.#mapped.keys()) if (index < low) this.unmap(index);
  }

  /** Indexes of the segment files present, in order. */
  list(): number[] {
    return readdirSync(this.dir)
      .map(parseSegmentFileName)
      .filter((n): n is number => n !== undefined)
      .sort((a, b) => a - b);
  }

  /** Unmaps and deletes segments below `index`; returns how many went. */
  deleteBefore(index: number): number {
    let deleted = 0;
    for (const n of this.list()) {
      if (n >= index) break;
      if (this.#unlink(n)) deleted++;
    }
    if (deleted > 0) fsyncDirectorySync(this.dir);
    return deleted;
  }

  /** Unmaps and deletes one segment, durably. */
  deleteSegment(index: number): void {
    if (this.#unlink(index)) fsyncDirectorySync(this.dir);
  }

  #unlink(index: number): boolean {
    this.unmap(index);
    try {
      unlinkSync(join(this.dir, segmentFileName(index)));
      return true;
    } catch (error) {
      // Another process deleted it first.
      if ((error as { code?: string }).code === 'ENOENT') return false;
      throw error;
    }
  }

  /** Lets go of one segment (passed by every cursor, or deleted): records handed out stay readable. */
  unmap(index: number): void {
    this.#mapped.get(index)?.region.close({ keepViews: true });
    this.#mapped.delete(index);
    for (const cursor of this.#cursors) if (cursor.segment?.index === index) cursor.segment = undefined;
  }

  close(): void {
    for (const segment of this.#mapped.values()) segment.region.close();
    this.#mapped.clear();
  }
}

/** A record header whose length reaches past its segment: never trusted, never followed. */
export function damagedRecord(segment: MappedSegment, offset: number, word: number): MapsyncError {
  return new MapsyncError(
    'ECORRUPT',
    `queue segment ${segment.region.path} is damaged at offset ${offset}: record header 0x${word.toString(16)} ` +
      'claims more bytes than the segment has',
    { path: segment.region.path, range: { offset, length: 8 } },
  );
}
