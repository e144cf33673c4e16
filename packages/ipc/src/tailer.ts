// Tailing: read records in order from a position, without ever seeing half a record
// (the header word is published last), skipping padding and — after a bounded time —
// the abandoned record of a writer that died mid-record. wait() sleeps on the tailer
// slot's doorbell (a FIFO the event loop polls itself: one hop to wake, measured
// 25 µs one-way against 38-45 µs for a futex wait off the loop, which takes two, with
// messages 200 µs apart) —
// except in a dense stream, where it sleeps on the futex (see #sleepsOnFutex);
// waitSync() sleeps in futex(2) on the calling thread. Either way the tailer raises its
// own bit to say it sleeps and clears it; appenders only read it (an appender that
// cleared a tailer's flag could lose its wake-up).
import { MapsyncError, MapsyncRangeError, MapsyncTypeError, validate, type Doorbell } from '@mapsync/native';

import {
  INCOMPLETE,
  LENGTH_MASK,
  PADDING,
  RECORD,
  RECORD_HEADER_SIZE,
  SEGMENT_HEADER_SIZE,
  recordSpan,
  spanOfWord,
} from './format.js';
import { MAX_NAME_BYTES, SLOT_COUNT, SlotState, type QueueMeta } from './meta.js';
import { place, segmentStart } from './position.js';
import { processAlive } from './process-alive.js';
import { damagedRecord, type MappedSegment, type SegmentCursor, type SegmentStore } from './segments.js';

/** A wait shorter than this, followed by at least DENSE_STREAM_RECORDS, means a dense stream: see #sleepsOnFutex. */
const DENSE_STREAM_MICROS = 100;
const DENSE_STREAM_RECORDS = 8;
type Via = 'futex' | 'doorbell';

export interface TailerOptions {
  /**
   * A named tailer keeps its position in the queue: a restarted consumer resumes from
   * its last `commit()`. Anonymous tailers keep it in memory only.
   */
  readonly name?: string;
  /** Where a new tailer starts: 'beginning' (default), 'end', or a position. */
  readonly from?: 'beginning' | 'end' | number;
  /** Busy-spin this long (µs) before sleeping in wait(): lowest latency, holds the event loop. */
  readonly spinMicros?: number;
}

/**
 * One record: `bytes.subarray(offset, offset + length)` is the payload (no copy made);
 * `position` is the record's, `next` the one after it.
 */
export type RecordHandler = (bytes: Uint8Array, offset: number, length: number, position: number, next: number) => void;

interface Found {
  readonly segment: MappedSegment;
  readonly offset: number;
  readonly length: number;
  readonly position: number;
  readonly next: number;
}

export interface TailerContext {
  readonly meta: QueueMeta;
  readonly store: SegmentStore;
  readonly deadWriterMs: number;
  /**
   * A doorbell or futex sleep looks again after this long at most. Only the appender
   * that claimed a ring (or a futex wake) wakes a sleeping tailer; one that dies between
   * claiming and waking, or cannot open the FIFO, would otherwise leave it asleep with
   * records waiting.
   */
  readonly doorbellRecheckMs: number;
}

/**
 * Named tailers open in this process, by queue and slot. The slot records one pid, so
 * it cannot tell two tailers of one process apart: without this, both would share its
 * position and its waiting bits.
 */
const openNamed = new Set<string>();
const slotKey = (meta: QueueMeta, slot: number): string => `${meta.identity}:${slot}`;

/** Whether a named tailer of this process has the queue's slot open. */
export function isOpenHere(meta: QueueMeta, slot: number): boolean {
  return openNamed.has(slotKey(meta, slot));
}

export class Tailer implements AsyncIterable<Uint8Array>, Disposable {
  readonly name: string | undefined;
  readonly #ctx: TailerContext;
  readonly #slot: number | undefined;
  readonly #spinMicros: number;
  #position: number;
  #stuck: { position: number; since: number } | undefined;
  /** The slot's doorbell once wait() opened it; null if it could not be (futex instead). */
  #bell: Doorbell | null | undefined;
  /**
   * Waits in progress that raised each bit: a bit is cleared when the last of them
   * ends, so concurrent waits on one tailer never clear each other's.
   */
  readonly #armed = { futex: 0, doorbell: 0 };
  /** A wait() sleeps on the doorbell now: a concurrent one uses the futex. */
  #bellBusy = false;
  /** How long the last wait() slept, in µs. */
  #lastWaitMicros = Infinity;
  /** Records handed out since the last wait() or waitSync() returned. */
  #readSinceWait = 0;
  /** The segment this tailer reads, for the store to let go of the ones before (set on the first look). */
  #cursor: SegmentCursor | undefined;
  #closed = false;

  constructor(ctx: TailerContext, options: TailerOptions = {}) {
    this.#ctx = ctx;
    const opts = validate.checkObject(options, 'options');
    this.#spinMicros = validate.checkSize(opts.spinMicros ?? 0, 'options.spinMicros', 10_000_000);
    const { meta } = ctx;
    const start = this.#startPosition(opts.from ?? 'beginning');
    // Checked against the queue only where it is used: a named tailer that exists
    // resumes where it was, whatever `from` says (a position retention has passed since).
    const placed = (): number => {
      if (typeof opts.from === 'number') this.#checkInQueue(start);
      return start;
    };
    if (opts.name === undefined) {
      this.name = undefined;
      this.#position = placed();
      this.#slot = meta.claimSlot(SlotState.anonymous, undefined, start);
      return;
    }
    this.name = validate.checkPath(opts.name, 'options.name');
    const encoded = new TextEncoder().encode(this.name);
    if (encoded.length > MAX_NAME_BYTES) {
      throw new MapsyncError('ERR_NAME_TOO_LONG', `tailer names are at most ${MAX_NAME_BYTES} bytes of UTF-8`);
    }
    const existing = findNamed(meta, this.name);
    if (existing !== undefined) {
      const holder = meta.slotPid(existing);
      if (holder !== process.pid && processAlive(holder)) {
        throw new MapsyncError('EBUSY', `tailer '${this.name}' is in use by process ${holder}`);
      }
      if (isOpenHere(meta, existing)) {
        throw new MapsyncError('EBUSY', `tailer '${this.name}' is already open in this process; close it first`);
      }
      this.#slot = existing;
      meta.adoptSlot(existing);
      this.#position = meta.slotPosition(existing);
    } else {
      const slot = meta.claimSlot(SlotState.named, encoded, placed());
      if (slot === undefined) throw new MapsyncError('ENOSLOT', 'every tailer slot of this queue is taken');
      this.#slot = slot;
      this.#position = start;
    }
    openNamed.add(slotKey(meta, this.#slot));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The position of the next record to read. */
  get position(): number {
    return this.#position;
  }

  /** Reads the next record (a view into the mapped segment), or undefined if there is none yet. */
  read(): Uint8Array | undefined {
    const found = this.#peek();
    if (found === undefined) return undefined;
    this.#position = found.next;
    this.#readSinceWait++;
    const start = found.offset + RECORD_HEADER_SIZE;
    return found.segment.bytes.subarray(start, start + found.length);
  }

  /**
   * Hands up to `max` available records to `handler` without allocating per record,
   * and returns how many it handled.
   */
  readBatch(max: number, handler: RecordHandler): number {
    validate.checkSize(max, 'max');
    if (typeof handler !== 'function') {
      throw new MapsyncTypeError('ERR_INVALID_ARG_TYPE', `handler must be a function, received ${typeof handler}`);
    }
    const size = this.#ctx.store.segmentSize;
    let count = 0;
    while (count < max) {
      const found = this.#peek();
      if (found === undefined) break;
      const { segment } = found;
      let offset = found.offset;
      let position = found.position;
      let span = found.next - position;
      let length = found.length;
      // Plain published records that follow in the same segment are read in this tight
      // loop; anything else (padding, a record being written, the segment's end) goes
      // back through #peek.
      for (;;) {
        this.#position = position + span;
        this.#readSinceWait++;
        handler(segment.bytes, offset + RECORD_HEADER_SIZE, length, position, position + span);
        count++;
        offset += span;
        position += span;
        if (count >= max || offset >= size) break;
        const word = Atomics.load(segment.words, offset >>> 2) >>> 0;
        if ((word & (INCOMPLETE | PADDING | RECORD)) !== RECORD) break;
        length = word & LENGTH_MASK;
        span = recordSpan(length);
        if (offset + span > size) throw damagedRecord(segment, offset, word);
      }
    }
    return count;
  }

  /** Stores the position in the queue (named tailers), so a restart resumes here. */
  commit(): void {
    this.#checkOpen();
    if (this.name !== undefined && this.#slot !== undefined) this.#ctx.meta.setSlotPosition(this.#slot, this.#position);
  }

  /**
   * Resolves true once a record is available, false on timeout. Never blocks the event
   * loop (unless spinMicros asks for a busy-spin first).
   */
  async wait(timeoutMs?: number): Promise<boolean> {
    this.#checkOpen();
    const started = performance.now();
    try {
      if (this.#peek() !== undefined) return true;
      if (this.#spinMicros > 0 && this.#spin()) return true;
      const deadline = deadlineOf(timeoutMs);
      const bell = this.#bellBusy || this.#sleepsOnFutex() ? undefined : this.#doorbell();
      if (bell === undefined) return await this.#sleep(deadline, bell);
      this.#bellBusy = true;
      try {
        return await this.#sleep(deadline, bell);
      } finally {
        this.#bellBusy = false;
      }
    } finally {
      this.#waitEnded(started);
    }
  }

  /**
   * Every wait that returns, slept or not, starts the count again: an answer that was
   * already there when a request/response peer called wait() is still one record per
   * wait, not the start of a dense stream.
   */
  #waitEnded(started: number): void {
    this.#lastWaitMicros = (performance.now() - started) * 1000;
    this.#readSinceWait = 0;
  }

  /**
   * In a dense stream (the last wait ended within DENSE_STREAM_MICROS, and several
   * records came in since), a quicker wake-up buys nothing but more of them: every sleep
   * costs the appender a syscall and the machine a context switch. The futex wait off
   * the loop is slower to wake (two hops: a waiter thread, then the loop), and records
   * gather meanwhile: with four consumers of one producer on two vCPUs, each consumer
   * slept 15x less often and read 4.4 M msgs/s instead of 3.4 M. A request/response
   * exchange also waits briefly, but reads one record per wait: it keeps the doorbell,
   * whose one hop answered a ping-pong in 11–13 µs one-way where the futex took 33–35
   * µs (runs of one script, before this rule).
   */
  #sleepsOnFutex(): boolean {
    return this.#lastWaitMicros < DENSE_STREAM_MICROS && this.#readSinceWait >= DENSE_STREAM_RECORDS;
  }

  async #sleep(deadline: number, bell: Doorbell | undefined): Promise<boolean> {
    const { meta } = this.#ctx;
    const via: Via = bell === undefined ? 'futex' : 'doorbell';
    for (;;) {
      const step = this.#arm(deadline, via);
      if (step.kind !== 'sleep') return step.kind === 'ready';
      try {
        if (bell !== undefined) {
          const timeoutMs = Math.min(step.timeoutMs, this.#ctx.doorbellRecheckMs);
          if ((await bell.wait({ timeoutMs })) === 'closed') return false;
        } else {
          await meta.mapping.futexWait(meta.notifyOffset, step.seen, { timeoutMs: step.timeoutMs });
        }
      } catch (error) {
        // The queue was closed while we slept: the wait simply ends.
        if (this.#closed) return false;
        throw error;
      } finally {
        this.#disarm(via);
      }
      if (this.#closed) return false;
      if (this.#peek() !== undefined) return true;
    }
  }

  /**
   * The same wait, blocking the calling thread in futex(2): no thread hop, so the
   * lowest latency short of spinning. For a worker thread or a process whose only job is
   * consuming — on a main thread it stops the event loop while it waits.
   */
  waitSync(timeoutMs?: number): boolean {
    this.#checkOpen();
    const started = performance.now();
    const deadline = deadlineOf(timeoutMs);
    const { meta } = this.#ctx;
    try {
      for (;;) {
        const step = this.#arm(deadline, 'futex');
        if (step.kind !== 'sleep') return step.kind === 'ready';
        try {
          meta.mapping.futexWaitSync(meta.notifyOffset, step.seen, { timeoutMs: step.timeoutMs });
        } finally {
          this.#disarm('futex');
        }
        if (this.#peek() !== undefined) return true;
      }
    } finally {
      this.#waitEnded(started);
    }
  }

  /**
   * Raises this tailer's waiting bit, then decides: a record is there, time is up, or
   * sleep. Looking again after raising the bit is what loses no wake-up: an append
   * before it is seen here; one after it sees the bit, and bumps the word the futex
   * compares with `seen` (or rings the doorbell).
   */
  #arm(deadline: number, via: Via): { kind: 'ready' | 'expired' } | { kind: 'sleep'; seen: number; timeoutMs: number } {
    const { meta } = this.#ctx;
    if (this.#slot !== undefined && this.#armed[via]++ === 0) {
      if (via === 'doorbell') meta.armDoorbell(this.#slot);
      else meta.setWaiting(this.#slot, true);
    }
    const seen = meta.notifyValue();
    // Every futex sleep, even one beside another wait of this tailer that was woken and
    // has not lowered the bit yet, asks to be woken afresh — after reading `seen`: an
    // appender that marks it woken from now on bumps the word again before it wakes
    // (QueueMeta#wakeSleepers), so the sleep cannot start on a value it has passed.
    if (this.#slot !== undefined && via === 'futex') meta.clearWoken(this.#slot);
    let found: Found | undefined;
    try {
      found = this.#peek();
    } catch (error) {
      // Armed for nothing (a segment gone, a file that cannot be opened): a count left
      // raised would keep later waits from arming their bit.
      this.#disarm(via);
      throw error;
    }
    if (found !== undefined) {
      this.#disarm(via);
      return { kind: 'ready' };
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      this.#disarm(via);
      return { kind: 'expired' };
    }
    // A stuck record (a writer mid-record, or dead) wakes nobody: look again in time to
    // skip it. Without a slot (all taken) there is no bit to raise, so poll. A futex
    // sleep looks again as a doorbell sleep does: an appender that died between marking
    // this tailer woken and waking it leaves the mark, and the others then skip the wake.
    const forever = 2 ** 31 - 1;
    const limit = Math.min(
      remaining,
      this.#stuck === undefined ? forever : this.#ctx.deadWriterMs,
      this.#slot === undefined ? 5 : forever,
      via === 'futex' ? this.#ctx.doorbellRecheckMs : forever,
    );
    return { kind: 'sleep', seen, timeoutMs: Math.max(1, Math.ceil(limit)) };
  }

  #disarm(via: Via): void {
    // After close() the bits are cleared, and an anonymous slot may have a new owner.
    if (this.#closed || this.#slot === undefined || this.#armed[via] === 0 || --this.#armed[via] > 0) return;
    if (via === 'doorbell') this.#ctx.meta.disarmDoorbell(this.#slot);
    else this.#ctx.meta.setWaiting(this.#slot, false);
  }

  /**
   * The slot's doorbell, opened on the first wait(); undefined (wait on the futex
   * instead) without a slot, or where the directory cannot hold a FIFO.
   */
  #doorbell(): Doorbell | undefined {
    if (this.#bell === undefined && this.#slot !== undefined) {
      try {
        this.#bell = this.#ctx.meta.openDoorbell(this.#slot);
      } catch {
        this.#bell = null;
      }
    }
    return this.#bell ?? undefined;
  }

  /** Every record from the position on, waiting for new ones; commits as it goes. */
  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    while (!this.#closed) {
      const record = this.read();
      if (record !== undefined) {
        yield record;
        // The consumer asked for the next one: the previous one is processed. (Read
        // through a call: the consumer may have closed the tailer while it held the record.)
        if (!this.closed) this.commit();
      } else if (!(await this.wait())) {
        return;
      }
    }
  }

  /** Ends a pending wait() (it resolves false) and any `for await`, and frees the slot. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const { meta } = this.#ctx;
    if (this.#cursor !== undefined) this.#ctx.store.untrack(this.#cursor);
    if (this.#slot !== undefined) {
      meta.setWaiting(this.#slot, false);
      meta.disarmDoorbell(this.#slot);
      if (this.name === undefined) meta.releaseSlot(this.#slot);
      else openNamed.delete(slotKey(meta, this.#slot));
    }
    // End our own pending wait, if any (closing the doorbell settles it; on the futex,
    // other waiters just re-check and sleep again).
    this.#bell?.close();
    if (!meta.mapping.closed) meta.wakeEveryone();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #checkOpen(): void {
    if (this.#closed) throw new MapsyncError('ECLOSED', 'the tailer is closed');
  }

  #spin(): boolean {
    const until = performance.now() + this.#spinMicros / 1000;
    while (performance.now() < until) if (this.#peek() !== undefined) return true;
    return false;
  }

  #startPosition(from: unknown): number {
    const { meta, store } = this.#ctx;
    if (from === 'beginning') return segmentStart(meta.firstSegment, store.segmentSize);
    if (from === 'end') return meta.tailHint;
    // A position is one that append() or a tailer gave out: record starts are 8-aligned.
    return validate.checkAligned(validate.checkSize(from, 'options.from'), 8, 'options.from');
  }

  /**
   * A start position must lie between the first kept record and the tail, and a record
   * must start there. A segment's own start (offset 0: the `next` of a record that fills
   * the segment before it) is its first record's.
   */
  #checkInQueue(position: number): void {
    const { meta, store } = this.#ctx;
    const size = store.segmentSize;
    const first = segmentStart(meta.firstSegment, size);
    const tail = meta.tailHint;
    const firstRecordOf = (p: number): number => (p % size === 0 ? p + SEGMENT_HEADER_SIZE : p);
    if (firstRecordOf(position) < first || firstRecordOf(position) > firstRecordOf(tail)) {
      throw new MapsyncRangeError(
        'ERR_OUT_OF_RANGE',
        `options.from ${position} is outside the queue's records, which start at ${first} and end at ${tail}`,
      );
    }
    this.#checkRecordStart(position);
  }

  /**
   * Walks the position's segment from its first record to prove a record starts there.
   * Inside a record, 8-aligned payload bytes can look like a header, and without a
   * checksum (durability 'none') nothing else would tell: the tailer would hand out
   * payload bytes as records. Once per new tailer placed by position. A record's span
   * never changes once claimed (publishing keeps its length, and a record turned into
   * padding — a dead writer's, or one recovery dropped — keeps its span), so plain
   * loads walk the claimed headers, a few ns each; only a 0, the end of what is claimed,
   * is read again atomically before it counts.
   */
  #checkRecordStart(position: number): void {
    const { store } = this.#ctx;
    const size = store.segmentSize;
    const at = place(position, size);
    const inHeader = at.position !== position && position % size !== 0;
    let offset = SEGMENT_HEADER_SIZE;
    const segment = inHeader ? undefined : store.get(at.index, false);
    while (segment !== undefined && offset < at.offset) {
      const w = offset >>> 2;
      const word = (segment.words[w] || Atomics.load(segment.words, w)) >>> 0;
      // Nothing claimed from here on: no record starts further on.
      if (word === 0) break;
      const span = spanOfWord(word);
      if (span < RECORD_HEADER_SIZE || offset + span > size) throw damagedRecord(segment, offset, word);
      offset += span;
    }
    if (inHeader || offset !== at.offset) {
      throw new MapsyncRangeError(
        'ERR_NOT_RECORD_START',
        `options.from ${position} is not where a record starts: use a position that append(), a tailer or readBatch() gave out`,
      );
    }
  }

  /** The record at the position, skipping padding and abandoned records; undefined if none yet. */
  #peek(): Found | undefined {
    this.#checkOpen();
    const { meta, store } = this.#ctx;
    const size = store.segmentSize;
    for (;;) {
      const at = place(this.#position, size);
      this.#position = at.position;
      if (at.index !== this.#cursor?.index) store.moveTo((this.#cursor ??= store.track(true)), at.index);
      const segment = store.get(at.index, false);
      if (segment === undefined) {
        if (at.index < meta.firstSegment) throw gone(at.index, meta.firstSegment, at.position);
        return undefined;
      }
      const w = at.offset >>> 2;
      const word = Atomics.load(segment.words, w) >>> 0;
      if (word === 0) return undefined;
      const length = word & LENGTH_MASK;
      const span = (word & PADDING) !== 0 ? length : recordSpan(length);
      if (span < 8 || at.offset + span > size) throw damagedRecord(segment, at.offset, word);
      if ((word & PADDING) !== 0) {
        this.#position += span;
        continue;
      }
      if ((word & INCOMPLETE) !== 0) {
        if (!this.#abandoned(segment, w, word, at.position, span)) return undefined;
        continue;
      }
      this.#stuck = undefined;
      return { segment, offset: at.offset, length, position: at.position, next: at.position + span };
    }
  }

  /**
   * A record still incomplete: once it has been so for deadWriterMs and its writer is
   * gone, turn it into padding (for every tailer) and return true to move past it.
   */
  #abandoned(segment: MappedSegment, w: number, word: number, position: number, span: number): boolean {
    const now = Date.now();
    if (this.#stuck?.position !== position) {
      this.#stuck = { position, since: now };
      return false;
    }
    if (now - this.#stuck.since < this.#ctx.deadWriterMs) return false;
    if (processAlive(segment.words[w + 1] ?? 0)) return false;
    Atomics.compareExchange(segment.words, w, word | 0, (PADDING | span) | 0);
    this.#stuck = undefined;
    return true;
  }
}

function deadlineOf(timeoutMs: number | undefined): number {
  return timeoutMs === undefined ? Infinity : Date.now() + validate.checkSize(timeoutMs, 'timeoutMs');
}

function findNamed(meta: QueueMeta, name: string): number | undefined {
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    if (meta.slotState(slot) === SlotState.named && meta.slotName(slot) === name) return slot;
  }
  return undefined;
}

function gone(index: number, first: number, position: number): MapsyncError {
  return new MapsyncError(
    'ESEGMENTGONE',
    `position ${position} is in segment ${index}, deleted by retention (the oldest kept segment is ${first}); ` +
      "open the tailer from 'beginning' or a newer position",
  );
}
