// Where the log's segment files live. The log only needs a handful of operations, so
// it reaches storage through this small interface: the real one maps files in a
// directory, and a simulated one (./simulated-volume.ts) models what a power loss
// leaves of them.

/** A range of a file's bytes. */
export interface ByteSpan {
  readonly offset: number;
  readonly length: number;
}

/** One preallocated, mapped segment file. */
export interface SegmentFile {
  /** The whole file, mapped (writable when opened for writing). */
  readonly bytes: Uint8Array;
  /**
   * Makes [offset, offset + length) durable, and `also` (another range of the file)
   * with it, in one device flush; rejects on a write-back error.
   */
  flush(offset: number, length: number, also?: ByteSpan): Promise<void>;
  flushSync(offset: number, length: number, also?: ByteSpan): void;
  /**
   * Makes every byte from `offset` to the end of the file zero, durably (recovery
   * cutting off a torn tail), without holding memory for the zeroed pages.
   */
  zeroFromSync(offset: number): void;
  /**
   * Makes durable what the file holds now, including pages a crashed writer left in the
   * page cache, without writing anything of this opener's own.
   */
  syncFileSync(): void;
  /**
   * The log will not change the bytes before `before` (default: the whole file) again,
   * except in the first page, and all it changed there is flushed: memory held for them
   * beyond the file's page cache can go.
   */
  release?(before?: number): void;
  /**
   * A flush of this file is still running: closed now, it would still write what it
   * was given into the file. Volumes whose flushes finish before they resolve need not
   * say (the log then assumes any flush of its own that is running may be one).
   */
  isFlushing?(): boolean;
  /**
   * Lets go of the file. A flush still running completes first, and still writes what
   * it was given: reuse the file (recycle) only once no flush of it can be running.
   */
  close(): void;
}

export interface SegmentOptions {
  /**
   * How a writable file's flushes reach it. 'msync' (default): a shared mapping; a
   * flush writes the dirty pages of its range. 'pwrite': a private mapping; a flush
   * writes its whole range with pwrite, so callers must flush exactly what they wrote
   * (the log does). It spares the write fault a shared mapping takes on the first store
   * into a page after every flush. Simulated volumes model both alike.
   */
  readonly writeBack?: 'msync' | 'pwrite';
}

/** The smallest range holding [offset, offset + length) and `also`. */
export function spanning(offset: number, length: number, also: ByteSpan | undefined): ByteSpan {
  if (also === undefined || also.length === 0) return { offset, length };
  if (length === 0) return also;
  const start = Math.min(offset, also.offset);
  return { offset: start, length: Math.max(offset + length, also.offset + also.length) - start };
}

/** How the log opens its segments: it flushes exactly the ranges it wrote. */
export const LOG_SEGMENT: SegmentOptions = { writeBack: 'pwrite' };

export interface LogVolume {
  /** Human-readable location, for messages. */
  readonly location: string;
  /** File names present now. */
  list(): string[];
  /**
   * Creates `name` with `size` preallocated bytes whose first bytes are `initial`, and
   * makes file, content and directory entry durable before returning: it is written
   * under a temporary name and renamed into place, so `name` never exists half made.
   */
  create(name: string, size: number, initial: Uint8Array, options?: SegmentOptions): SegmentFile;
  open(name: string, writable: boolean, options?: SegmentOptions): SegmentFile;
  /**
   * Reuses file `from` as `name`: its blocks stay allocated but read as zeros, its first
   * bytes become `initial`, and the result is durable before returning, like create().
   */
  recycle(from: string, name: string, initial: Uint8Array, options?: SegmentOptions): SegmentFile;
  /** Renames durably (directory synced). */
  rename(from: string, to: string): void;
  /** Removes durably (directory synced). */
  remove(name: string): void;
  /** Gives up what the volume holds beyond its files (the writer's lock). */
  release?(): void;
}
