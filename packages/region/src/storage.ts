// The storage seam: the few operations the write-ahead log and the queue need from a
// mapped file. A writable region implements it for real files; a simulated store that
// loses unflushed pages or fails a flush on cue implements it in their tests.
import type { ByteRange } from '@mapsync/native';

import type { FlushReport } from './flush.js';
import type { CloseOptions } from './region.js';

export interface Storage {
  /** Bytes addressable, from 0. */
  readonly size: number;
  /**
   * A live window over `length` bytes at `offset` (no copy). Writes through it are not
   * seen by `flush()` until reported with `markDirty`.
   */
  bytes(offset: number, length: number): Uint8Array;
  /** A copy of `length` bytes at `offset`. */
  read(offset: number, length: number): Uint8Array;
  /** Copies `bytes` in at `offset` and marks the pages dirty. */
  write(offset: number, bytes: Uint8Array): void;
  /** Reports a write made through `bytes()`. */
  markDirty(offset: number, length: number): void;
  /**
   * Makes the dirty pages (or, given a range, that range) durable. After one failure
   * every later flush rejects with that same error: the store is poisoned.
   */
  flush(range?: ByteRange): Promise<FlushReport>;
  flushSync(range?: ByteRange): FlushReport;
  close(options?: CloseOptions): void;
}
