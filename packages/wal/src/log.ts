// WriteAheadLog: append records, commit them durably (group commit), read them back,
// drop what a checkpoint made unnecessary, and recover on open. The guide's redo-log
// recipe, step 1 and 2: the record is in the mapped log and msync'ed before anyone is
// told it is committed.
import { randomInt } from 'node:crypto';

import { MapsyncError, MapsyncRangeError, pageSize, validate } from '@mapsync/native';

import { writeAnchor } from './anchor.js';
import { FileVolume, type FileVolumeOptions } from './file-volume.js';
import {
  RECORDS_START,
  RECORD_HEADER_SIZE,
  RecordType,
  SEGMENT_HEADER_SIZE,
  decodeRecordHeader,
  encodeLsn,
  MARK_SLOT_OFFSETS,
  MARK_SLOT_SIZE,
  clearMarkSlots,
  encodeMarkSlot,
  encodeRecord,
  encodeSegmentHeader,
  recordSpan,
  segmentBytes,
  segmentFileName,
  takesLsn,
  type SegmentBytes,
} from './format.js';
import { scanLog, type LogBreak, type LogScan, type Verdict } from './scan.js';
import { LOG_SEGMENT, type ByteSpan, type LogVolume, type SegmentFile } from './volume.js';

export const DEFAULT_SEGMENT_SIZE = 16 * 1024 * 1024;
const MIN_SEGMENT_SIZE = 64 * 1024;
const MAX_SEGMENT_SIZE = 1024 * 1024 * 1024;
const SEAL_SPAN = recordSpan(0);
const EMPTY = new Uint8Array(0);
/**
 * Splitting commit groups. A flush runs on a thread; while it runs, the event loop can
 * append the records of committers that are not waiting on it. With many committers
 * the appends of a whole group take about as long as its flush, so two groups taking
 * turns (one flushing while the other appends) beat one group doing both in turn. A
 * burst of this many waiters starts a flush at once instead of after the burst...
 */
const EAGER_FLUSH_WAITERS = 256;
/** ...and the loop evens out the two groups once both together are this large. */
const SPLIT_GROUPS_FROM = 512;
/** Commits per shared Promise, at most: small enough for the split to cut groups evenly. */
const MAX_BATCH = 64;
/** Dropped segments kept for reuse instead of allocating new files. */
const MAX_SPARE_SEGMENTS = 2;

export interface LogOptions {
  /** Bytes per segment file, a multiple of the page size (default 16 MiB). */
  readonly segmentSize?: number;
  /**
   * When the log is damaged in the middle, drop everything from the damage on instead
   * of refusing to open. `inspectLog` tells beforehand what would be dropped.
   */
  readonly repair?: boolean;
  /** Storage to use instead of files in the directory (e.g. a SimulatedVolume). */
  readonly volume?: LogVolume;
  /** Mode of files the log creates (default 0o600). */
  readonly fileMode?: number;
  /**
   * After a flush the log writes a small mark saying what is now durable; it rides
   * along with the next commit's flush for free. If no commit follows within this many
   * milliseconds it is flushed on its own, so that recovery can prove the last
   * commit group was acknowledged (default 20; see the README's recovery section).
   */
  readonly markFlushDelayMs?: number;
  /**
   * Also write each mark into the segment's header page. A misdirected write (a device
   * putting a page at the wrong place) that destroys the newest log page together with
   * the marks in it then makes the log refuse to open instead of reading as a torn
   * tail. Costs a second page in every flush: a fifth more time per serial commit
   * here (see the README's Performance). Default false.
   */
  readonly guardMisdirectedWrites?: boolean;
}

export interface LogRecord {
  readonly lsn: number;
  readonly type: 'data' | 'checkpoint';
  /** A view into the mapped log: copy it to keep it past dropBefore() or close(). */
  readonly payload: Uint8Array;
}

export interface RecoveryReport {
  /** 'clean', 'torn-tail' (unacknowledged writes dropped), or 'corrupt' (only with repair). */
  readonly verdict: Verdict;
  readonly firstLsn: number;
  readonly lastLsn: number;
  readonly segments: number;
  readonly checkpointLsn: number;
  /** What recovery dropped, when it dropped anything. */
  readonly dropped?: {
    readonly fromLsn: number;
    readonly segment: string;
    readonly offset: number;
    readonly problem: LogBreak['problem'];
    readonly recordsAfterBreak: number;
  };
}

interface Segment {
  readonly name: string;
  readonly number: number;
  readonly file: SegmentFile;
  readonly bytes: SegmentBytes;
  readonly epoch: number;
  firstLsn: number | undefined;
  lastLsn: number;
  /** Where the next record goes. */
  end: number;
  /** Bytes before this offset are durable. */
  flushedTo: number;
  /** Mark slots written into the header page (guardMisdirectedWrites), and flushed. */
  headerMarks: number;
  headerMarksFlushed: number;
  /** Its seal is written: the log changes nothing in it any more. */
  sealed: boolean;
}

/** The bytes of a segment's header page the mark slots occupy. */
const SLOTS_START = MARK_SLOT_OFFSETS[0];
const SLOTS_END = MARK_SLOT_OFFSETS[1] + MARK_SLOT_SIZE;

/** A part of a segment the next flush makes durable. */
interface FlushRange {
  readonly segment: Segment;
  readonly from: number;
  readonly to: number;
  /** The header page's mark slots go in the same flush. */
  readonly slots: boolean;
  /** The segment's header mark count the range covers. */
  readonly headerMarks: number;
}

const SLOTS: ByteSpan = { offset: SLOTS_START, length: SLOTS_END - SLOTS_START };

function flushRangeSync(r: FlushRange): void {
  r.segment.file.flushSync(r.from, r.to - r.from, r.slots ? SLOTS : undefined);
}

/** Flushes each range; settles once every flush has (a failed one must not leave another running unseen). */
async function flushRanges(ranges: readonly FlushRange[]): Promise<void> {
  // (async: a flush that throws instead of rejecting does not stop the others starting.)
  const results = await Promise.allSettled(
    ranges.map(async (r) => r.segment.file.flush(r.from, r.to - r.from, r.slots ? SLOTS : undefined)),
  );
  for (const result of results) if (result.status === 'rejected') throw result.reason;
}

/**
 * Commits waiting for the same flush, sharing one Promise: with a thousand committers,
 * a Promise and its resolvers per commit were a measurable part of each commit's cost.
 */
interface Waiter {
  /** The highest LSN its commits asked for. */
  lsn: number;
  /** Where the log ended at its newest commit: flushing to here covers `lsn`. */
  segment: Segment;
  end: number;
  /** The last LSN before `end`: durable too once the flush to `end` is. */
  covers: number;
  /** How many commits share it. */
  count: number;
  /** A flush was cut to cover it: later commits start a new batch, not wait for the next flush. */
  sealed: boolean;
  readonly promise: Promise<number>;
  readonly resolve: (lsn: number) => void;
  readonly reject: (error: Error) => void;
}

function newWaiter(segment: Segment): Waiter {
  let resolve: (lsn: number) => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<number>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { lsn: 0, segment, end: 0, covers: 0, count: 0, sealed: false, promise, resolve, reject };
}

/** Thrown by open when acknowledged records are damaged. */
export class LogCorruptError extends MapsyncError {
  readonly scan: LogSummary;
  constructor(message: string, scan: LogSummary) {
    super('ECORRUPT', message);
    this.scan = scan;
  }
}

/** What a scan found, without the open files. */
export interface LogSummary {
  readonly location: string;
  readonly verdict: Verdict;
  readonly firstLsn: number;
  readonly lastLsn: number;
  readonly segments: string[];
  readonly checkpointLsn: number;
  readonly break?: LogBreak;
  readonly witnessedDurableLsn: number;
  readonly recordsAfterBreak: number;
}

export function summarize(location: string, scan: LogScan): LogSummary {
  return {
    location,
    verdict: scan.verdict,
    firstLsn: scan.firstLsn,
    lastLsn: scan.lastLsn,
    segments: scan.segments.map((s) => s.name),
    checkpointLsn: scan.checkpointLsn,
    ...(scan.break === undefined ? {} : { break: scan.break }),
    witnessedDurableLsn: scan.witnessedDurableLsn,
    recordsAfterBreak: scan.recordsAfterBreak,
  };
}

/**
 * What a scan found, in words. `howToRepair` names the way to drop damaged records
 * for whoever reads this: the library's option by default; the CLI names its command.
 */
export function describeBreak(summary: LogSummary, howToRepair = 'Opening with { repair: true }'): string {
  const b = summary.break;
  if (b === undefined) return `the log in ${summary.location} is intact up to LSN ${summary.lastLsn}`;
  if (summary.verdict === 'torn-tail') {
    return (
      `the log ends in a torn tail at record ${b.lsn} in ${b.segment} (offset ${b.offset}, ${b.problem}): ` +
      `writes in flight at a crash, which no mark proves acknowledged. Opening keeps LSNs ${summary.firstLsn}..${summary.lastLsn} and drops ` +
      `them (${summary.recordsAfterBreak} readable record(s) beyond the break)`
    );
  }
  return (
    `record ${b.lsn} in ${b.segment} at offset ${b.offset} is unreadable (${b.problem}); ` +
    (summary.witnessedDurableLsn >= b.lsn
      ? `the log's marks (records after it, or a copy in a segment header) say LSN ${summary.witnessedDurableLsn} ` +
        'was durable, so acknowledged data is damaged. '
      : 'a misdirected write put a record with another LSN, or a segment header, where the records go on, ' +
        'so acknowledged data may be damaged. ') +
    `${howToRepair} keeps LSNs ${summary.firstLsn}..${summary.lastLsn} and drops LSN ${b.lsn} ` +
    `and everything after it (${summary.recordsAfterBreak} readable record(s) beyond the damage)`
  );
}

function checkSegmentSize(value: unknown): number {
  const size = validate.checkSize(value, 'options.segmentSize', MAX_SEGMENT_SIZE, MIN_SEGMENT_SIZE);
  return validate.checkAligned(size, pageSize, 'options.segmentSize');
}

function newEpoch(): number {
  return randomInt(1, 2 ** 32 - 1);
}

export class WriteAheadLog {
  readonly location: string;
  readonly recovery: RecoveryReport;
  readonly #volume: LogVolume;
  readonly #segmentSize: number;
  readonly #segments: Segment[] = [];
  #prepared: Segment | undefined;
  readonly #spares: string[] = [];
  #firstLsn: number;
  #lastLsn: number;
  #durableLsn: number;
  #waiters: Waiter[] = [];
  /** Commits in #waiters (each batch counts its own). */
  #waiting = 0;
  #flushing = false;
  #flushQueued = false;
  #failure: MapsyncError | undefined;
  #closed = false;
  readonly #markFlushDelayMs: number;
  readonly #guardMisdirectedWrites: boolean;
  #markTimer: NodeJS.Timeout | undefined;
  /** Opened by open() itself (not passed in): close() releases its lock. */
  #ownsVolume = false;

  private constructor(volume: LogVolume, options: LogOptions) {
    this.#volume = volume;
    this.location = volume.location;
    this.#segmentSize = checkSegmentSize(options.segmentSize ?? DEFAULT_SEGMENT_SIZE);
    this.#markFlushDelayMs = validate.checkSize(options.markFlushDelayMs ?? 20, 'options.markFlushDelayMs', 60_000);
    this.#guardMisdirectedWrites = validate.checkBoolean(
      options.guardMisdirectedWrites ?? false,
      'options.guardMisdirectedWrites',
    );
    const scan = scanLog(volume, true);
    try {
      this.recovery = this.#recover(scan, options.repair === true);
      this.#firstLsn = scan.firstLsn;
      this.#lastLsn = this.recovery.lastLsn;
      this.#durableLsn = this.#lastLsn;
      if (this.#guardMisdirectedWrites && this.#durableLsn > 0) this.#proveRecovered();
    } catch (error) {
      for (const s of [...scan.segments, ...this.#segments]) s.file.close();
      throw error;
    }
  }

  /**
   * What recovery kept is durable: the records appended next carry that fact, but all
   * of them may share one page that a stray write can destroy. The header's copy of it
   * is written now (the simulation found a history that lost recovered records without it).
   */
  #proveRecovered(): void {
    const segment = this.#active();
    this.#writeMarkSlot(segment);
    segment.file.flushSync(SLOTS_START, SLOTS_END - SLOTS_START);
    segment.headerMarksFlushed = segment.headerMarks;
  }

  /** Opens (creating if needed) the log in `dir`, recovering it first. */
  static open(dir: string, options: LogOptions = {}): WriteAheadLog {
    validate.checkObject(options, 'options');
    if (options.volume !== undefined) return new WriteAheadLog(options.volume, options);
    const volume = new FileVolume(validate.checkPath(dir, 'dir'), writerOptions(options));
    try {
      const log = new WriteAheadLog(volume, options);
      log.#ownsVolume = true;
      return log;
    } catch (error) {
      volume.release();
      throw error;
    }
  }

  /** The LSN of the last record appended (0 before any). */
  get lastLsn(): number {
    return this.#lastLsn;
  }

  /** Every record up to this LSN is durable. */
  get durableLsn(): number {
    return this.#durableLsn;
  }

  /** The first LSN still in the log. */
  get firstLsn(): number {
    return this.#firstLsn;
  }

  /** Set once a flush failed: nothing is acknowledged any more. */
  get failure(): MapsyncError | undefined {
    return this.#failure;
  }

  /** Largest payload one record can carry with this segment size. */
  get maxPayload(): number {
    return this.#segmentSize - RECORDS_START - SEAL_SPAN - RECORD_HEADER_SIZE;
  }

  /**
   * Appends a record and returns its LSN. It is in the mapped log (visible to readers
   * of this process) but not durable until a commit covering it resolves.
   */
  append(payload: Uint8Array): number;
  append(payload: Uint8Array, options: { commit: true }): Promise<number>;
  append(payload: Uint8Array, options?: { commit?: boolean }): number | Promise<number> {
    const lsn = this.#append(RecordType.data, validate.checkBytes(payload, 'payload'));
    return options?.commit === true ? this.commit(lsn) : lsn;
  }

  /**
   * Resolves (with the durable LSN) once every record up to `lsn` (default: the last
   * appended) is durable. Commits that arrive while a flush is running share the next
   * flush. Rejects with ELOGFAILED once any flush has failed.
   */
  commit(lsn: number = this.#lastLsn): Promise<number> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#closed) return Promise.reject(closedError());
    validate.checkSize(lsn, 'lsn', this.#lastLsn);
    if (lsn <= this.#durableLsn) return Promise.resolve(this.#durableLsn);
    const segment = this.#active();
    let batch = this.#waiters.at(-1);
    if (batch === undefined || batch.sealed || batch.count >= MAX_BATCH) {
      batch = newWaiter(segment);
      this.#waiters.push(batch);
    }
    batch.lsn = Math.max(batch.lsn, lsn);
    batch.segment = segment;
    batch.end = segment.end;
    batch.covers = this.#lastLsn;
    batch.count++;
    if (++this.#waiting >= EAGER_FLUSH_WAITERS && !this.#flushing) void this.#flushLoop();
    else this.#scheduleFlush();
    return batch.promise;
  }

  /**
   * The same durability on the calling thread: no thread hop, so the lowest latency for
   * a single writer, at the price of blocking the event loop while the disk works.
   */
  commitSync(lsn: number = this.#lastLsn): number {
    if (this.#failure !== undefined) throw this.#failure;
    this.#checkOpen();
    validate.checkSize(lsn, 'lsn', this.#lastLsn);
    // An asynchronous flush may be running too: flushing the same pages twice is
    // harmless, and each path only moves the durable marks forward.
    if (lsn <= this.#durableLsn) return this.#durableLsn;
    const target = this.#lastLsn;
    const ranges = this.#dirtyRanges();
    try {
      for (const r of ranges) flushRangeSync(r);
    } catch (error) {
      throw this.#fail(error);
    }
    this.#markFlushed(ranges, target);
    // Awaited commits this flush covered are done too: no need to wait for their own.
    this.#resolveDurable();
    return this.#durableLsn;
  }

  /** Resolves the commits that are durable now; returns how many. */
  #resolveDurable(): number {
    const waiting = this.#waiters;
    this.#waiters = [];
    let released = 0;
    for (const w of waiting) {
      if (w.lsn <= this.#durableLsn) {
        w.resolve(this.#durableLsn);
        released += w.count;
      } else {
        this.#waiters.push(w);
      }
    }
    this.#waiting -= released;
    return released;
  }

  /** After a flush made `durableLsn` durable: record that fact in the log, flushed later. */
  #writeMark(): void {
    const segment = this.#active();
    if (this.#closed || this.#failure !== undefined) return;
    if (this.#guardMisdirectedWrites) this.#writeMarkSlot(segment);
    // Near a segment's end only the seal fits: the slot (if any) is the mark then.
    const room = segment.end + 2 * SEAL_SPAN <= this.#segmentSize;
    if (room) {
      segment.end += encodeRecord(segment.bytes, segment.end, RecordType.mark, segment.epoch, this.#lastLsn, this.#durableLsn, EMPTY);
    }
    if (room || this.#guardMisdirectedWrites) this.#armMarkTimer();
  }

  /** The durable LSN into the next of the segment's header mark slots (flushed later). */
  #writeMarkSlot(segment: Segment): void {
    encodeMarkSlot(segment.bytes, segment.headerMarks, segment.epoch, this.#durableLsn);
    segment.headerMarks++;
  }

  #armMarkTimer(): void {
    if (this.#markTimer !== undefined || this.#markFlushDelayMs === 0) return;
    this.#markTimer = setTimeout(() => {
      this.#markTimer = undefined;
      this.#flushMarks();
    }, this.#markFlushDelayMs);
    this.#markTimer.unref();
  }

  /** Flushes a pending mark unless a commit is about to carry it anyway. */
  #flushMarks(): void {
    if (this.#closed || this.#failure !== undefined) return;
    // A flush is running: its own mark comes after it, so look again later.
    if (this.#flushing) {
      this.#armMarkTimer();
      return;
    }
    const ranges = this.#dirtyRanges();
    if (ranges.length === 0) return;
    this.#flushing = true;
    flushRanges(ranges)
      .then(
        () => {
          flushedUpTo(ranges);
        },
        (error: unknown) => {
          this.#fail(error);
        },
      )
      .finally(() => {
        this.#flushing = false;
        if (this.#waiters.length > 0) this.#scheduleFlush();
      });
  }

  /** Appends a checkpoint mark saying state up to `lsn` is durable elsewhere, and commits it. */
  checkpoint(lsn: number): Promise<number> {
    validate.checkSize(lsn, 'lsn', this.#lastLsn);
    return this.commit(this.#append(RecordType.checkpoint, encodeLsn(lsn)));
  }

  /** Records from `fromLsn` (default: the first) up to the last appended, in order. */
  *records(fromLsn: number = this.#firstLsn): Generator<LogRecord> {
    this.#checkOpen();
    validate.checkSize(fromLsn, 'fromLsn');
    for (const segment of this.#segments) {
      if (segment.firstLsn === undefined || segment.lastLsn < fromLsn) continue;
      for (const record of segmentRecords(segment)) {
        if (record.lsn >= fromLsn) yield record;
      }
    }
  }

  /**
   * Drops whole segments whose records are all below `lsn` (typically the LSN a
   * checkpoint covered). The newest segment with records is always kept.
   */
  dropBefore(lsn: number): number {
    this.#checkOpen();
    validate.checkSize(lsn, 'lsn');
    const lastWithRecords = this.#segments.findLastIndex((s) => s.firstLsn !== undefined);
    const firstKept = this.#segments.findIndex((s, i) => i >= lastWithRecords || s.lastLsn >= lsn);
    const kept = this.#segments[firstKept];
    if (firstKept <= 0 || kept === undefined) return 0;
    const drop = firstKept;
    // The anchor moves first: a crash after it leaves dropped files behind as leftovers.
    writeAnchor(this.#volume, { firstSegment: kept.number, firstLsn: kept.firstLsn ?? this.#lastLsn + 1 });
    this.#firstLsn = kept.firstLsn ?? this.#lastLsn + 1;
    for (const segment of this.#segments.splice(0, drop)) {
      // A flush running now may still be writing into a dropped segment: reused, its
      // late write would land in the new segment's records. Removed, it lands nowhere.
      const busy = segment.file.isFlushing?.() ?? this.#flushing;
      segment.file.close();
      if (this.#spares.length < MAX_SPARE_SEGMENTS && !busy) this.#spares.push(segment.name);
      else this.#volume.remove(segment.name);
    }
    return drop;
  }

  /** Commits what was appended, then unmaps everything. */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#failure === undefined && this.#lastLsn > this.#durableLsn) {
      await this.commit().catch(() => undefined);
    }
    // A flush may also be about to start (queued behind the current microtasks).
    while (this.#flushing || this.#flushQueued) await new Promise((resolve) => setImmediate(resolve));
    clearTimeout(this.#markTimer);
    this.#closed = true;
    try {
      if (this.#failure === undefined) {
        // The last mark proves on the next open that everything committed was acknowledged.
        try {
          for (const r of this.#dirtyRanges()) flushRangeSync(r);
        } catch (error) {
          throw this.#fail(error);
        }
      }
    } finally {
      // Whatever happened, the files are let go and so is the writer's lock: the way on
      // after a failure is to reopen, in this process too.
      for (const s of this.#segments) s.file.close();
      this.#prepared?.file.close();
      if (this.#ownsVolume) this.#volume.release?.();
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw closedError();
  }

  #failed(): boolean {
    return this.#failure !== undefined;
  }

  #append(type: RecordType, payload: Uint8Array): number {
    if (this.#failure !== undefined) throw this.#failure;
    this.#checkOpen();
    if (payload.length > this.maxPayload) {
      throw new MapsyncRangeError(
        'ERR_RECORD_TOO_LARGE',
        `a record of ${payload.length} bytes does not fit a ${this.#segmentSize}-byte segment ` +
          `(at most ${this.maxPayload}); open the log with a larger segmentSize`,
      );
    }
    let segment = this.#active();
    if (segment.end + recordSpan(payload.length) + SEAL_SPAN > this.#segmentSize) segment = this.#roll(segment);
    const lsn = this.#lastLsn + 1;
    segment.end += encodeRecord(segment.bytes, segment.end, type, segment.epoch, lsn, this.#durableLsn, payload);
    segment.firstLsn ??= lsn;
    segment.lastLsn = lsn;
    this.#lastLsn = lsn;
    return lsn;
  }

  #active(): Segment {
    const active = this.#segments.at(-1);
    if (active === undefined) throw new Error('the log has no segment');
    return active;
  }

  /** Seals `current` with its last record and continues in the next segment. */
  #roll(current: Segment): Segment {
    // The next segment exists before the seal is written: if it cannot be made (ENOSPC),
    // the append fails and the log is left exactly as it was.
    const next = this.#prepared ?? this.#createSegment(current.number + 1);
    this.#prepared = undefined;
    current.end += encodeRecord(current.bytes, current.end, RecordType.seal, current.epoch, this.#lastLsn, this.#durableLsn, EMPTY);
    current.sealed = true;
    this.#segments.push(next);
    // Prepare the one after off the append path, so the next roll finds it ready.
    setImmediate(() => {
      this.#prepareNext();
    });
    return next;
  }

  #prepareNext(): void {
    if (this.#closed || this.#failure !== undefined || this.#prepared !== undefined) return;
    try {
      this.#prepared = this.#createSegment(this.#active().number + 1);
    } catch {
      // Left to the next roll, which creates the segment itself and reports any error.
    }
  }

  /** A new segment, durable (header, file and directory entry) before it is returned. */
  #createSegment(number: number): Segment {
    const name = segmentFileName(number);
    const header = new Uint8Array(SEGMENT_HEADER_SIZE);
    const epoch = newEpoch();
    encodeSegmentHeader({ epoch, segmentNumber: number, firstLsn: 0, segmentSize: this.#segmentSize }, header);
    const spare = this.#spares.shift();
    const file =
      spare === undefined
        ? this.#volume.create(name, this.#segmentSize, header, LOG_SEGMENT)
        : this.#volume.recycle(spare, name, header, LOG_SEGMENT);
    return {
      name,
      number,
      file,
      bytes: segmentBytes(file.bytes),
      epoch,
      firstLsn: undefined,
      lastLsn: 0,
      end: RECORDS_START,
      flushedTo: RECORDS_START,
      headerMarks: 0,
      headerMarksFlushed: 0,
      sealed: false,
    };
  }

  /** What is appended but not flushed; with `upTo`, only what lies before that point. */
  #dirtyRanges(upTo?: Waiter): FlushRange[] {
    const ranges: FlushRange[] = [];
    let pastCut = false;
    for (const segment of this.#segments) {
      const headerMarks = segment.headerMarks;
      const slotsWritten = headerMarks > segment.headerMarksFlushed;
      if (pastCut) {
        // A cut that ends in an older segment still takes the newest mark slot along:
        // it is the proof of the group before, which this flush acknowledges past.
        if (slotsWritten) {
          ranges.push({ segment, from: segment.flushedTo, to: segment.flushedTo, slots: true, headerMarks });
        }
        continue;
      }
      const to = segment === upTo?.segment ? Math.min(upTo.end, segment.end) : segment.end;
      // Mark slots written since the last flush go with the records, in one flush.
      if (to > segment.flushedTo || slotsWritten) {
        ranges.push({ segment, from: segment.flushedTo, to, slots: slotsWritten, headerMarks });
      }
      if (segment === upTo?.segment) pastCut = true;
    }
    return ranges;
  }

  /**
   * The commit the next flush goes up to: normally the newest, so one flush serves
   * every waiter. When the waiters far outnumber the committers just released (who are
   * about to append while this flush runs), only the older part of them, so that the
   * two groups taking turns become the same size.
   */
  #nextCut(released: number): { target: number; ranges: FlushRange[] } {
    const waiting = this.#waiting;
    const half = Math.ceil((waiting + released) / 2);
    if (waiting + released >= SPLIT_GROUPS_FROM && waiting > half) {
      // Batches are in commit order and the log only grows, so every commit in a batch
      // before the cut asked for an LSN the cut covers. The cut falls after the batch
      // that reaches half of the commits.
      let counted = 0;
      const cut = this.#waiters.findIndex((w) => (counted += w.count) >= half);
      const last = this.#waiters[cut];
      if (last !== undefined && cut < this.#waiters.length - 1 && this.#segments.includes(last.segment)) {
        for (let i = 0; i <= cut; i++) (this.#waiters[i] as Waiter).sealed = true;
        return { target: last.covers, ranges: this.#dirtyRanges(last) };
      }
    }
    for (const w of this.#waiters) w.sealed = true;
    return { target: this.#lastLsn, ranges: this.#dirtyRanges() };
  }

  #markFlushed(ranges: FlushRange[], target: number): void {
    flushedUpTo(ranges);
    if (target > this.#durableLsn) {
      this.#durableLsn = target;
      this.#writeMark();
    }
  }

  /**
   * Starts a flush after the microtasks already queued: committers woken by the last
   * flush append and commit in those, so they all share the next flush instead of the
   * first of them flushing alone.
   */
  #scheduleFlush(): void {
    if (this.#flushing || this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(() => {
      this.#flushQueued = false;
      if (!this.#flushing) void this.#flushLoop();
    });
  }

  async #flushLoop(): Promise<void> {
    this.#flushing = true;
    try {
      let released = 0;
      while (this.#waiters.length > 0 && this.#failure === undefined) {
        const { target, ranges } = this.#nextCut(released);
        try {
          await flushRanges(ranges);
        } catch (error) {
          this.#fail(error);
          break;
        }
        // A commitSync that failed meanwhile may have taken this flush's error (Linux
        // reports a write-back error once per open file): nothing it covered is proven.
        // (Read through a call: TypeScript cannot tell that the await may have set it.)
        if (this.#failed()) break;
        this.#markFlushed(ranges, target);
        released = this.#resolveDurable();
      }
    } finally {
      this.#flushing = false;
    }
  }

  /** Enters the failed state: every pending and future commit rejects. */
  #fail(cause: unknown): MapsyncError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    this.#failure ??= new MapsyncError(
      'ELOGFAILED',
      `the log in ${this.location} failed to flush (${reason}); nothing more will be acknowledged. ` +
        'Reopen it to recover what is durable.',
      { cause },
    );
    const waiting = this.#waiters;
    this.#waiters = [];
    this.#waiting = 0;
    for (const w of waiting) w.reject(this.#failure);
    return this.#failure;
  }

  #recover(scan: LogScan, repair: boolean): RecoveryReport {
    const summary = summarize(this.location, scan);
    if (scan.verdict === 'corrupt' && !repair) {
      throw new LogCorruptError(`cannot open the log: ${describeBreak(summary)}`, summary);
    }
    for (const name of scan.leftovers) this.#volume.remove(name);

    const { segmentIndex, offset } = scan.tail;
    const kept = scan.segments.slice(0, segmentIndex + 1);
    // Everything past the tail was never acknowledged (or, with repair, is given up):
    // segments after it go, and the tail segment is zeroed from the break on so no
    // stale record can reappear after new ones.
    for (const s of scan.segments.slice(segmentIndex + 1)) {
      s.file.close();
      this.#volume.remove(s.name);
    }
    const tailSegment = kept[segmentIndex];
    if (tailSegment !== undefined && scan.break !== undefined) {
      // LSNs from the break on will be given to new records: a mark slot saying they
      // were durable (possible only after a repair) must not outlive them.
      clearMarkSlots(tailSegment.bytes);
      tailSegment.file.flushSync(SLOTS_START, SLOTS_END - SLOTS_START);
      tailSegment.file.zeroFromSync(offset);
    }
    for (const s of kept) {
      // Records recovered from the page cache after a process crash may not be on disk yet.
      s.file.syncFileSync();
      this.#segments.push({
        name: s.name,
        number: s.header.segmentNumber,
        file: s.file,
        bytes: s.bytes,
        epoch: s.header.epoch,
        firstLsn: s.firstLsn,
        lastLsn: s.lastLsn,
        end: s === tailSegment ? offset : s.end,
        flushedTo: s === tailSegment ? offset : s.end,
        headerMarks: 0,
        headerMarksFlushed: 0,
        sealed: false,
      });
    }
    if (this.#segments.length === 0 || segmentIndex === scan.segments.length) {
      const after = scan.segments.at(-1)?.header.segmentNumber ?? 0;
      this.#segments.push(this.#createSegment(after + 1));
    }
    return {
      verdict: scan.verdict,
      firstLsn: scan.firstLsn,
      lastLsn: scan.lastLsn,
      segments: this.#segments.length,
      checkpointLsn: scan.checkpointLsn,
      ...(scan.break === undefined
        ? {}
        : {
            dropped: {
              fromLsn: scan.break.lsn,
              segment: scan.break.segment,
              offset: scan.break.offset,
              problem: scan.break.problem,
              recordsAfterBreak: scan.recordsAfterBreak,
            },
          }),
    };
  }
}

/** Notes what a finished flush made durable. */
function flushedUpTo(ranges: readonly FlushRange[]): void {
  for (const { segment, to, headerMarks } of ranges) {
    segment.flushedTo = Math.max(segment.flushedTo, to);
    segment.headerMarksFlushed = Math.max(segment.headerMarksFlushed, headerMarks);
    // What is flushed is never written again (appends go on at the end; only the mark
    // slots in the first page are rewritten): what the volume holds for its writing (a
    // private mapping's copies of pages) can go. A sealed segment wholly on disk is
    // only read from now on.
    const done = segment.sealed && segment.flushedTo >= segment.end && segment.headerMarksFlushed >= segment.headerMarks;
    segment.file.release?.(done ? undefined : segment.flushedTo);
  }
}

function* segmentRecords(segment: Segment): Generator<LogRecord> {
  let at = RECORDS_START;
  while (at < segment.end) {
    const decoded = decodeRecordHeader(segment.bytes, at);
    if (!decoded.ok) return;
    const h = decoded.header;
    const start = at + RECORD_HEADER_SIZE;
    if (takesLsn(h.type)) {
      yield {
        lsn: h.lsn,
        type: h.type === RecordType.checkpoint ? 'checkpoint' : 'data',
        payload: segment.bytes.bytes.subarray(start, start + h.payloadLength),
      };
    }
    at += recordSpan(h.payloadLength);
  }
}

function closedError(): MapsyncError {
  return new MapsyncError('ECLOSED', 'the log is closed');
}

function writerOptions(options: LogOptions): FileVolumeOptions {
  return options.fileMode === undefined
    ? { create: true, lock: true }
    : { fileMode: options.fileMode, create: true, lock: true };
}
