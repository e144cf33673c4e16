// A queue: a directory with queue.meta and its segments. Any number of processes may
// open it at once, to append, to tail, or both.
import { mkdirSync } from 'node:fs';

import { MapsyncError, pageSize, validate } from '@mapsync/native';

import { Appender, type Durability } from './appender.js';
import { MAX_SEGMENT_SIZE, MIN_SEGMENT_SIZE } from './format.js';
import { QueueMeta, SLOT_COUNT, SlotState } from './meta.js';
import { place } from './position.js';
import { processAlive } from './process-alive.js';
import { recoverAfterReboot, type RebootRecovery } from './recovery.js';
import { SegmentStore } from './segments.js';
import { Tailer, isOpenHere, type TailerOptions } from './tailer.js';

export const DEFAULT_SEGMENT_SIZE = 16 * 1024 * 1024;

export interface QueueOptions {
  /** Bytes per segment file, for a new queue (an existing one keeps its own). Default 16 MiB. */
  readonly segmentSize?: number;
  /** 'none' (default), 'record', or { everyMs }: see Appender. */
  readonly durability?: Durability;
  /** How long a record may stay half-written before tailers skip it, if its writer is dead. Default 20 s. */
  readonly deadWriterMs?: number;
  /** Mode of files the queue creates. Default 0o600. */
  readonly fileMode?: number;
  /** Create the queue (directory and meta file) if it does not exist. Default true. */
  readonly create?: boolean;
  /**
   * A tailer sleeping on its doorbell or on the futex looks for records again after this
   * long at most (ms), woken or not: the bound on how late it can be if an appender died
   * between claiming a ring (or a futex wake) and waking, or could not open the
   * doorbell. Default 1000.
   */
  readonly doorbellRecheckMs?: number;
}

export interface RetentionOptions {
  /** Always keep at least this many of the newest segments. Default 1. */
  readonly keepSegments?: number;
}

export interface TailerInfo {
  readonly name: string | undefined;
  readonly position: number;
  readonly pid: number;
}

export interface QueueStats {
  readonly segmentSize: number;
  readonly segments: number[];
  readonly firstSegment: number;
  /** Where the next record will go (a hint: appenders may be past it by a few records). */
  readonly tail: number;
  readonly durablePosition: number;
  readonly tailers: TailerInfo[];
}

function checkDurability(value: unknown): Durability {
  if (value === undefined) return 'none';
  if (value === 'none' || value === 'record') return value;
  const everyMs = validate.checkObject(value, 'options.durability').everyMs;
  return { everyMs: validate.checkSize(everyMs, 'options.durability.everyMs', 3_600_000, 1) };
}

export class Queue implements Disposable {
  readonly dir: string;
  /** What recovery did if the machine rebooted since the queue was last used. */
  readonly recovery: RebootRecovery | undefined;
  readonly #meta: QueueMeta;
  readonly #store: SegmentStore;
  readonly #durability: Durability;
  readonly #deadWriterMs: number;
  readonly #doorbellRecheckMs: number;
  readonly #tailers = new Set<Tailer>();
  #appender: Appender | undefined;
  #closed = false;

  private constructor(dir: string, options: QueueOptions) {
    const opts = validate.checkObject(options, 'options');
    this.dir = validate.checkPath(dir, 'dir');
    const segmentSize = validate.checkAligned(
      validate.checkSize(opts.segmentSize ?? DEFAULT_SEGMENT_SIZE, 'options.segmentSize', MAX_SEGMENT_SIZE, MIN_SEGMENT_SIZE),
      pageSize,
      'options.segmentSize',
    );
    this.#durability = checkDurability(opts.durability);
    this.#deadWriterMs = validate.checkSize(opts.deadWriterMs ?? 20_000, 'options.deadWriterMs', 3_600_000);
    this.#doorbellRecheckMs = validate.checkSize(opts.doorbellRecheckMs ?? 1000, 'options.doorbellRecheckMs', 3_600_000, 1);
    const fileMode = validate.checkSize(opts.fileMode ?? 0o600, 'options.fileMode', 0o777);
    const create = validate.checkBoolean(opts.create ?? true, 'options.create');
    if (create) mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.#meta = QueueMeta.open(this.dir, segmentSize, fileMode, create);
    this.#meta.reclaimAbandonedSlots(processAlive);
    this.#store = new SegmentStore(this.dir, this.#meta.segmentSize, fileMode);
    try {
      this.recovery = recoverAfterReboot(this.#meta, this.#store);
    } catch (error) {
      this.#store.close();
      this.#meta.close();
      throw error;
    }
  }

  /** Opens (creating if needed) the queue in `dir`. */
  static open(dir: string, options: QueueOptions = {}): Queue {
    return new Queue(dir, options);
  }

  /** This process's appender (one per queue object). */
  get appender(): Appender {
    this.#checkOpen();
    this.#appender ??= new Appender(this.#meta, this.#store, this.#durability);
    return this.#appender;
  }

  append(payload: Uint8Array): number {
    return this.appender.append(payload);
  }

  appendBatch(payloads: readonly Uint8Array[]): number[] {
    return this.appender.appendBatch(payloads);
  }

  /** Makes every record appended so far durable (by any process), and the tailer cursors too. */
  async flush(): Promise<void> {
    // The appender's flush ends with queue.meta (durable point and cursors), off the event loop.
    await this.appender.flush();
  }

  tailer(options: TailerOptions = {}): Tailer {
    this.#checkOpen();
    const tailer = new Tailer(
      { meta: this.#meta, store: this.#store, deadWriterMs: this.#deadWriterMs, doorbellRecheckMs: this.#doorbellRecheckMs },
      options,
    );
    this.#tailers.add(tailer);
    return tailer;
  }

  /**
   * Deletes segments that every named tailer has moved past, keeping the newest
   * `keepSegments`. A tailer whose position is deleted later gets ESEGMENTGONE.
   */
  retain(options: RetentionOptions = {}): number {
    this.#checkOpen();
    const keep = validate.checkSize(validate.checkObject(options, 'options').keepSegments ?? 1, 'options.keepSegments', 2 ** 31, 1);
    const size = this.#meta.segmentSize;
    let limit = place(this.#meta.tailHint, size).index - keep + 1;
    for (const t of this.stats().tailers) {
      if (t.name !== undefined) limit = Math.min(limit, place(t.position, size).index);
    }
    if (limit <= this.#meta.firstSegment) return 0;
    // First the mark, then the files: a tailer never mistakes a deleted segment for one
    // not yet written.
    this.#meta.raiseFirstSegment(limit);
    this.#meta.flushSync();
    return this.#store.deleteBefore(limit);
  }

  /** Forgets a named tailer (its position no longer holds back retention). */
  removeTailer(name: string): boolean {
    this.#checkOpen();
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
      if (this.#meta.slotState(slot) !== SlotState.named || this.#meta.slotName(slot) !== name) continue;
      const pid = this.#meta.slotPid(slot);
      if (pid !== process.pid && processAlive(pid)) {
        throw new MapsyncError('EBUSY', `tailer '${name}' is in use by process ${pid}`);
      }
      if (isOpenHere(this.#meta, slot)) {
        throw new MapsyncError('EBUSY', `tailer '${name}' is open in this process; close it first`);
      }
      this.#meta.releaseSlot(slot);
      return true;
    }
    return false;
  }

  stats(): QueueStats {
    this.#checkOpen();
    const tailers: TailerInfo[] = [];
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
      const state = this.#meta.slotState(slot);
      if (state !== SlotState.named && state !== SlotState.anonymous) continue;
      tailers.push({
        name: state === SlotState.named ? this.#meta.slotName(slot) : undefined,
        position: this.#meta.slotPosition(slot),
        pid: this.#meta.slotPid(slot),
      });
    }
    return {
      segmentSize: this.#meta.segmentSize,
      segments: this.#store.list(),
      firstSegment: this.#meta.firstSegment,
      tail: this.#meta.tailHint,
      durablePosition: this.#meta.durablePosition,
      tailers,
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // The segments still mapped are unmapped now, their record views detached, before
    // closing the tailers would let go of them (and leave them to the garbage collector).
    this.#store.close();
    for (const t of this.#tailers) t.close();
    this.#appender?.close();
    this.#meta.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #checkOpen(): void {
    if (this.#closed) throw new MapsyncError('ECLOSED', 'the queue is closed');
  }
}


