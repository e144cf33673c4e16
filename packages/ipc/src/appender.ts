// Appending: claim space with a compare-and-swap on the record's header word (so any
// number of processes can append at once, and a claimed record always carries its
// length), write the payload, publish the header word last, then wake waiting
// tailers. Durability is the queue's choice: none (the page cache survives a process
// crash), per record (the guide's msync per record), or every N milliseconds.
import { MapsyncError, MapsyncRangeError, MapsyncTypeError, crc32c, validate } from '@mapsync/native';

import {
  HAS_CRC,
  INCOMPLETE,
  PADDING,
  RECORD,
  RECORD_HEADER_SIZE,
  SEGMENT_HEADER_SIZE,
  recordSpan,
  spanOfWord,
} from './format.js';
import type { QueueMeta } from './meta.js';
import { place, segmentStart } from './position.js';
import { damagedRecord, type MappedSegment, type SegmentCursor, type SegmentStore } from './segments.js';

export type Durability = 'none' | 'record' | { readonly everyMs: number };

interface Claim {
  readonly segment: MappedSegment;
  readonly offset: number;
  readonly position: number;
  readonly span: number;
}

const PID = process.pid;

// A plain function, so that checking a value typed as an array does not narrow it to any[].
function isArray(value: unknown): boolean {
  return Array.isArray(value);
}

export class Appender {
  readonly #meta: QueueMeta;
  readonly #store: SegmentStore;
  readonly #durability: Durability;
  readonly #withCrc: boolean;
  readonly #maxPayload: number;
  #timer: NodeJS.Timeout | undefined;
  #prepared = -1;
  /** Highest segment index whose pages this appender had faulted in ahead. */
  #prefaulted = -1;
  /**
   * The segment appended to now, for the store to let go of the ones before; it keeps
   * the segment itself too (`segment`), and drops it when it lets go of it, so that the
   * mapping can go.
   */
  readonly #cursor: SegmentCursor;
  /** The first flush that failed in a system call (see #flushFailed). */
  #flushFailure: MapsyncError | undefined;
  #closed = false;

  constructor(meta: QueueMeta, store: SegmentStore, durability: Durability) {
    this.#meta = meta;
    this.#store = store;
    this.#durability = durability;
    // Without a flush there is no durable point to check records against after a
    // power loss, so the checksum would only cost time.
    this.#withCrc = durability !== 'none';
    this.#maxPayload = store.segmentSize - SEGMENT_HEADER_SIZE - RECORD_HEADER_SIZE;
    this.#cursor = store.track(false);
    if (typeof durability === 'object') {
      this.#timer = setInterval(() => {
        void this.flush().catch(() => undefined);
      }, durability.everyMs);
      this.#timer.unref();
    }
  }

  /** Largest payload one record can carry with this segment size. */
  get maxPayload(): number {
    return this.#maxPayload;
  }

  /** Appends one record; returns its position. With per-record durability it is on disk on return. */
  append(payload: Uint8Array): number {
    validate.checkBytes(payload, 'payload');
    this.#refuseAfterFailedFlush();
    const claim = this.#write(payload, this.#meta.tailHint);
    this.#published(claim.position + claim.span);
    return claim.position;
  }

  /** Appends several records, waking tailers (and, per record durability, flushing) once. */
  appendBatch(payloads: readonly Uint8Array[]): number[] {
    if (!isArray(payloads)) {
      throw new MapsyncTypeError('ERR_INVALID_ARG_TYPE', `payloads must be an array of Uint8Array, received ${typeof payloads}`);
    }
    // Every payload is checked before the first is written: a bad one appends nothing.
    for (const payload of payloads) validate.checkBytes(payload, 'payload');
    this.#refuseAfterFailedFlush();
    const positions: number[] = [];
    // Each claim starts where the last one ended; the shared hint moves once, at the end.
    let end = this.#meta.tailHint;
    for (const payload of payloads) {
      const claim = this.#write(payload, end);
      positions.push(claim.position);
      end = claim.position + claim.span;
    }
    if (positions.length > 0) this.#published(end);
    return positions;
  }

  /**
   * After records up to `end` are published: moves the shared hint, flushes (per-record
   * durability) and wakes tailers — even when the flush fails, as the records are there
   * to read all the same (a failed flush means not durable, not not written).
   */
  #published(end: number): void {
    this.#meta.raiseTailHint(end);
    try {
      if (this.#durability === 'record') this.#flushUpTo(end);
    } finally {
      this.#meta.announce();
    }
  }

  /** With per-record durability, once a flush failed nothing more is written: each append would fail after publishing its record. */
  #refuseAfterFailedFlush(): void {
    if (this.#durability === 'record' && this.#flushFailure !== undefined) throw this.#flushFailure;
  }

  /** Makes every record appended so far (by any process) durable. */
  async flush(): Promise<void> {
    if (this.#flushFailure !== undefined) throw this.#flushFailure;
    // Holds on to the segments being flushed: a tailer or an append moving on while a
    // flush is awaited would otherwise let go of (close) the ones not flushed yet.
    const hold = this.#store.track(true);
    try {
      const end = this.#meta.tailHint;
      const pending = this.#pending(end);
      if (pending[0] !== undefined) this.#store.moveTo(hold, pending[0].segment.index);
      for (const { segment, from, to } of pending) {
        try {
          await segment.region.flush({ offset: from, length: to - from });
        } catch (error) {
          // Retention in this process deleted the segment meanwhile: nothing left to flush.
          if (segment.region.closed && segment.index < this.#meta.firstSegment) continue;
          throw this.#flushFailed(error);
        }
      }
      this.#meta.raiseDurablePosition(end);
      // The durable point itself must reach the disk: after a power loss, records past
      // it are kept only if a checksum proves them whole, and an appender with durability
      // 'none' writes none. Found by the power-loss simulation of interval durability.
      await this.#meta.flush().catch((error: unknown) => {
        throw this.#flushFailed(error);
      });
    } finally {
      this.#store.untrack(hold);
    }
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#store.untrack(this.#cursor);
  }

  /**
   * A flush (msync, fdatasync) that failed in a system call fails every later one with
   * the same error. After a failed writeback the kernel may mark the pages clean and
   * report the error only once: a later flush, perhaps through a segment mapped afresh
   * after the store let go of it, would succeed with the data never on disk. Only the
   * flush calls count: failing to open a segment again (EMFILE) is not a lost write.
   */
  #flushFailed(error: unknown): unknown {
    if (error instanceof MapsyncError && error.errno !== undefined) this.#flushFailure ??= error;
    return error;
  }

  #write(payload: Uint8Array, from: number): Claim {
    if (this.#closed) throw new MapsyncError('ECLOSED', 'the appender is closed');
    if (payload.length > this.#maxPayload) {
      throw new MapsyncRangeError(
        'ERR_RECORD_TOO_LARGE',
        `a record of ${payload.length} bytes does not fit a ${this.#store.segmentSize}-byte segment (at most ${this.#maxPayload})`,
      );
    }
    const claim = this.#claim(payload.length, from);
    const { segment, offset } = claim;
    segment.bytes.set(payload, offset + 8);
    const word = offset >>> 2;
    segment.words[word + 1] = this.#withCrc ? crc32c(payload) | 0 : 0;
    // Published last: a reader that sees this word sees the payload above.
    Atomics.store(segment.words, word, (RECORD | payload.length | (this.#withCrc ? HAS_CRC : 0)) | 0);
    return claim;
  }

  /** Claims space for a record at the first free slot from `from` (a hint: never past the end). */
  #claim(length: number, from: number): Claim {
    const size = this.#store.segmentSize;
    const span = recordSpan(length);
    let position = from;
    // Plain arithmetic and the last segment kept at hand: this loop runs per record.
    for (;;) {
      const index = Math.floor(position / size);
      let offset = position - index * size;
      if (offset < SEGMENT_HEADER_SIZE) {
        offset = SEGMENT_HEADER_SIZE;
        position = index * size + offset;
      }
      const segment = this.#segment(index);
      const word = offset >>> 2;
      const remaining = size - offset;
      // A record that does not fit pads out the segment and goes on in the next one.
      const fits = span <= remaining;
      // Claimed with one compare-and-swap from zero; when the word was taken, the swap
      // returns it, and its span says how far to step over it.
      const current =
        Atomics.compareExchange(segment.words, word, 0, (fits ? INCOMPLETE | RECORD | length : PADDING | remaining) | 0) >>> 0;
      if (current === 0 && fits) {
        // Who holds the claim, so that tailers can skip it if this process dies.
        segment.words[word + 1] = PID;
        if (offset > size / 2 && this.#prepared < index + 1) this.#prepareNext(index + 1);
        return { segment, offset, position, span };
      }
      if (current === 0) {
        position += remaining;
        continue;
      }
      // Taken by someone else: step over it (its length is in its word from the claim on).
      const skip = spanOfWord(current);
      if (skip < 8 || offset + skip > size) throw damagedRecord(segment, offset, current);
      position += skip;
    }
  }

  #segment(index: number): MappedSegment {
    const last = this.#cursor.segment;
    if (last?.index === index && !last.region.closed) return last;
    this.#store.moveTo(this.#cursor, index);
    const segment = this.#store.get(index, true);
    if (segment === undefined) throw new Error(`segment ${index} could not be created`);
    this.#cursor.segment = segment;
    this.#prefault(segment);
    return segment;
  }

  /**
   * Faults a segment's pages in writable on a pool thread, ahead of the appends: a
   * store into a fresh page of a mapped file otherwise takes a page fault on the
   * appending thread (a third of an append's time, measured). Best effort: a kernel
   * without MADV_POPULATE_WRITE just leaves the faults where they were.
   */
  #prefault(segment: MappedSegment): void {
    if (segment.index <= this.#prefaulted) return;
    this.#prefaulted = segment.index;
    segment.region.prefault(undefined, { write: true }).catch(() => undefined);
  }

  /** Creates the next segment off the append path, so the roll finds it ready. */
  #prepareNext(index: number): void {
    this.#prepared = index;
    setImmediate(() => {
      if (this.#closed) return;
      try {
        const segment = this.#store.get(index, true);
        if (segment !== undefined) this.#prefault(segment);
      } catch {
        // Left to the append that needs the segment, which reports the error (ENOSPC...).
        this.#prepared = index - 1;
      }
    });
  }

  /** Flushes from the durable point to `end`: earlier records of other appenders too. */
  #flushUpTo(end: number): void {
    // A failed flush before this one was refused by #refuseAfterFailedFlush already.
    for (const { segment, from, to } of this.#pending(end)) {
      try {
        segment.region.flushSync({ offset: from, length: to - from });
      } catch (error) {
        throw this.#flushFailed(error);
      }
    }
    this.#meta.raiseDurablePosition(end);
  }

  /** Byte ranges per segment between the durable point and `end`. */
  #pending(end: number): { segment: MappedSegment; from: number; to: number }[] {
    const size = this.#store.segmentSize;
    const ranges = [];
    let from = Math.max(this.#meta.durablePosition, segmentStart(this.#meta.firstSegment, size));
    while (from < end) {
      const at = place(from, size);
      const segmentEnd = (at.index + 1) * size;
      const to = Math.min(end, segmentEnd);
      const segment = this.#store.get(at.index, false);
      if (segment !== undefined && to > at.position) ranges.push({ segment, from: at.offset, to: to - at.index * size });
      from = segmentEnd;
    }
    return ranges;
  }
}
