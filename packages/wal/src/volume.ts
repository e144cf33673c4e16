// Where the log's segment files live. The log only needs a handful of operations, so
// it reaches storage through this small interface: the real one maps files in a
// directory, and a simulated one (./simulated-volume.ts) models what a power loss
// leaves of them.

/** One preallocated, mapped segment file. */
export interface SegmentFile {
  /** The whole file, mapped (writable when opened for writing). */
  readonly bytes: Uint8Array;
  /** Makes [offset, offset + length) durable; rejects on a write-back error. */
  flush(offset: number, length: number): Promise<void>;
  flushSync(offset: number, length: number): void;
  close(): void;
}

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
  create(name: string, size: number, initial: Uint8Array): SegmentFile;
  open(name: string, writable: boolean): SegmentFile;
  /**
   * Reuses file `from` as `name`: its blocks stay allocated but read as zeros, its first
   * bytes become `initial`, and the result is durable before returning, like create().
   */
  recycle(from: string, name: string, initial: Uint8Array): SegmentFile;
  /** Renames durably (directory synced). */
  rename(from: string, to: string): void;
  /** Removes durably (directory synced). */
  remove(name: string): void;
  /** Gives up what the volume holds beyond its files (the writer's lock). */
  release?(): void;
}
