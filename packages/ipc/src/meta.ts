// queue.meta: the one page every participant maps and shares. It holds the format
// (checked on open), the append hint and the durable point (64-bit, updated with
// atomic compare-and-swap), the wake-up word (bumped by every announce; the futex word
// of tailers waiting in waitSync), two bitmaps where each waiting tailer raises its own
// bit (one for futex waiters, one for doorbell waiters), and the tailer slots (named
// cursors persist here). Mapped with @mapsync/native directly, because it is the futex
// word's home.
import { closeSync, existsSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { Doorbell, MapsyncError, crc32c, map, type Mapping } from '@mapsync/native';

import { createFileOnce } from '@mapsync/region';
import { FORMAT_VERSION, META_FILE, META_MAGIC, META_SIZE } from './format.js';

const OFF = {
  crc: 0,
  magic: 4,
  version: 12,
  segmentSize: 16,
  bootId: 32,
  recoveryLock: 48,
  notify: 52,
  waiting: 56,
  doorbells: 60,
  tailHint: 64,
  durable: 72,
  firstSegment: 80,
  rung: 88,
  woken: 92,
  slots: 128,
} as const;
export const SLOT_COUNT = 32;
const SLOT_SIZE = 64;
export const MAX_NAME_BYTES = 40;

export const SlotState = { free: 0, named: 1, anonymous: 2, initializing: 3 } as const;

const magic = new TextEncoder().encode(META_MAGIC);

/** This boot of the machine: a different value means the page cache did not survive. */
export function currentBootId(): Uint8Array {
  const text = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().replaceAll('-', '');
  return Uint8Array.from(text.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
}

function initialMeta(segmentSize: number): Uint8Array {
  const bytes = new Uint8Array(META_SIZE);
  const dv = new DataView(bytes.buffer);
  bytes.set(magic, OFF.magic);
  dv.setUint32(OFF.version, FORMAT_VERSION, true);
  dv.setUint32(OFF.segmentSize, segmentSize, true);
  dv.setUint32(OFF.crc, crc32c(bytes.subarray(4, 32)), true);
  bytes.set(currentBootId(), OFF.bootId);
  return bytes;
}

/** The FIFO a tailer slot's doorbell lives in; created once, never replaced. */
export function doorbellPath(dir: string, slot: number): string {
  return join(dir, `tailer-${String(slot).padStart(2, '0')}.bell`);
}

export class QueueMeta {
  readonly mapping: Mapping;
  readonly segmentSize: number;
  /** Which queue this is, whatever path opened it: the meta file's device and inode. */
  readonly identity: string;
  readonly #dir: string;
  /** The doorbells' mode: queue.meta's own, so whoever may append may ring. */
  readonly #bellMode: number;
  /** When opening each slot's doorbell last failed (ms): retried after a pause, not per record. */
  readonly #bellFailedAt: number[] = [];
  readonly #bytes: Uint8Array;
  readonly #i32: Int32Array;
  readonly #i64: BigInt64Array;
  /** Doorbells this process rings, by slot, opened on first need. */
  readonly #bells: (Doorbell | undefined)[] = [];

  private constructor(mapping: Mapping, dir: string, bellMode: number, identity: string) {
    this.mapping = mapping;
    this.identity = identity;
    this.#dir = dir;
    this.#bellMode = bellMode;
    this.#bytes = mapping.bytes(0, META_SIZE);
    this.#i32 = new Int32Array(this.#bytes.buffer, this.#bytes.byteOffset, META_SIZE / 4);
    this.#i64 = new BigInt64Array(this.#bytes.buffer, this.#bytes.byteOffset, META_SIZE / 8);
    const problem = this.#formatProblem();
    if (problem !== undefined) {
      mapping.unmap();
      throw new MapsyncError('EFORMAT', `${join(dir, META_FILE)} ${problem}`, { path: join(dir, META_FILE) });
    }
    this.segmentSize = new DataView(this.#bytes.buffer, this.#bytes.byteOffset).getUint32(OFF.segmentSize, true);
  }

  /**
   * Opens the queue's meta file; creates it (with `segmentSize`) if the queue is new and
   * `create` is set, else the queue must exist (ENOENT).
   */
  static open(dir: string, segmentSize: number, fileMode: number, create: boolean): QueueMeta {
    const path = join(dir, META_FILE);
    if (create && !existsSync(path)) createFileOnce(path, { size: META_SIZE, initial: initialMeta(segmentSize), fileMode });
    const fd = openSync(path, 'r+');
    try {
      // A short file would fault (SIGBUS) on the first read of its missing pages.
      const stat = fstatSync(fd);
      if (stat.size < META_SIZE) {
        throw new MapsyncError('EFORMAT', `${path} is too short to be a queue's meta file`, { path });
      }
      const mapping = map(fd, { length: META_SIZE, access: 'readwrite' });
      return new QueueMeta(mapping, dir, stat.mode & 0o777, `${stat.dev}:${stat.ino}`);
    } finally {
      closeSync(fd);
    }
  }

  #formatProblem(): string | undefined {
    for (let i = 0; i < magic.length; i++) {
      if (this.#bytes[OFF.magic + i] !== magic[i]) return 'is not a mapsync queue';
    }
    const dv = new DataView(this.#bytes.buffer, this.#bytes.byteOffset);
    if (dv.getUint32(OFF.crc, true) !== crc32c(this.#bytes.subarray(4, 32))) return 'has a damaged header';
    const version = dv.getUint32(OFF.version, true);
    if (version !== FORMAT_VERSION) return `has format version ${version}; this library reads ${FORMAT_VERSION}`;
    return undefined;
  }

  // 64-bit positions: exact as numbers up to 2^53.
  #load64(offset: number): number {
    return Number(Atomics.load(this.#i64, offset / 8));
  }

  /** Raises the 64-bit value at `offset` to at least `value` (never lowers it). */
  #raise64(offset: number, value: number): void {
    const target = BigInt(value);
    for (;;) {
      const current = Atomics.load(this.#i64, offset / 8);
      if (current >= target) return;
      if (Atomics.compareExchange(this.#i64, offset / 8, current, target) === current) return;
    }
  }

  get tailHint(): number {
    return this.#load64(OFF.tailHint);
  }
  raiseTailHint(position: number): void {
    this.#raise64(OFF.tailHint, position);
  }
  /** Set only by recovery, which runs alone. */
  setTailHint(position: number): void {
    Atomics.store(this.#i64, OFF.tailHint / 8, BigInt(position));
  }

  /** Every record before this position was flushed to disk. */
  get durablePosition(): number {
    return this.#load64(OFF.durable);
  }
  raiseDurablePosition(position: number): void {
    this.#raise64(OFF.durable, position);
  }
  setDurablePosition(position: number): void {
    Atomics.store(this.#i64, OFF.durable / 8, BigInt(position));
  }

  /** Index of the oldest segment still kept. */
  get firstSegment(): number {
    return this.#load64(OFF.firstSegment);
  }
  raiseFirstSegment(index: number): void {
    this.#raise64(OFF.firstSegment, index);
  }

  // Wake-ups. Every announce bumps `notify`. A tailer about to sleep raises its own bit
  // in one of two bitmaps, and only it ever clears the bit (an appender that cleared a
  // waiter's flag could lose its wake-up): in `waiting` to sleep in futex(2) on
  // `notify` (waitSync), in `doorbells` to sleep on its slot's FIFO with its event loop
  // (wait). Appenders only read both. In `rung` and `woken`, appenders mark a doorbell
  // they rang and a futex sleeper they woke, so that a busy appender wakes a sleeping
  // tailer once, not once per record; the tailer clears its mark before it sleeps again.
  get notifyOffset(): number {
    return OFF.notify;
  }
  /** Unsigned, as futex(2) compares it: the word wraps past 2^31 in a long-lived queue. */
  notifyValue(): number {
    return Atomics.load(this.#i32, OFF.notify / 4) >>> 0;
  }
  /** After publishing: bump the word, then wake whoever said it sleeps. */
  announce(): void {
    Atomics.add(this.#i32, OFF.notify / 4, 1);
    const waiting = Atomics.load(this.#i32, OFF.waiting / 4);
    if (waiting !== 0) this.#wakeSleepers(waiting);
    const bells = Atomics.load(this.#i32, OFF.doorbells / 4);
    if (bells !== 0) this.#ringSleepers(bells);
  }
  /**
   * Wakes the futex sleepers unless an appender woke them all since they cleared their
   * `woken` bit. Without this, every announce while a tailer's bit stayed up made a
   * futex(2) call: a woken tailer lowers its bit only after its wait thread has handed
   * back to its event loop, and a producer appending in batches of 64 to four consumers
   * made ~71,000 wake calls per 5 M messages (3,000–3,800 with it).
   *
   * No wake-up is lost. A tailer raises its waiting bit, reads `notify` (the value it
   * will sleep on), clears its woken bit, then looks for records. An append its look
   * misses comes after all that, so its announce sees the waiting bit, and either finds
   * the woken bit clear and wakes, or finds it set by an appender that set it after the
   * tailer cleared it — and so after the tailer read `notify`. Whoever sets the bit
   * bumps `notify` once more before it wakes: a sleep that has not begun then returns
   * at once, one that has is woken. (The bump of the announce alone is not enough: it
   * may come before the tailer read `notify`, for a record the tailer already had.) An
   * appender that dies between setting the bit and waking leaves it set: sleepers look
   * again every doorbellRecheckMs.
   */
  #wakeSleepers(waiting: number): void {
    if ((waiting & ~Atomics.load(this.#i32, OFF.woken / 4)) === 0) return;
    const before = Atomics.or(this.#i32, OFF.woken / 4, waiting);
    if ((waiting & ~before) !== 0) this.wakeEveryone();
  }
  setWaiting(slot: number, waiting: boolean): void {
    const bit = 1 << slot;
    if (waiting) Atomics.or(this.#i32, OFF.waiting / 4, bit);
    else Atomics.and(this.#i32, OFF.waiting / 4, ~bit);
  }
  /** Ends every futex sleep on the queue (they look again): bumps the word first, so one about to begin returns at once. */
  wakeEveryone(): void {
    Atomics.add(this.#i32, OFF.notify / 4, 1);
    this.mapping.futexWake(OFF.notify, 0x7fffffff);
  }

  /** Before each futex sleep's last look, after reading `notify`: the next announce wakes this slot's tailer again. */
  clearWoken(slot: number): void {
    Atomics.and(this.#i32, OFF.woken / 4, ~(1 << slot));
  }

  /**
   * Says the slot's tailer sleeps on its doorbell from now on: clears its `rung` bit,
   * then raises its `doorbells` bit (in that order: see #ringSleepers). The tailer
   * must look for records once more after this, before it sleeps.
   */
  armDoorbell(slot: number): void {
    Atomics.and(this.#i32, OFF.rung / 4, ~(1 << slot));
    Atomics.or(this.#i32, OFF.doorbells / 4, 1 << slot);
  }
  disarmDoorbell(slot: number): void {
    Atomics.and(this.#i32, OFF.doorbells / 4, ~(1 << slot));
  }

  /**
   * Rings each sleeping tailer's doorbell unless another announce rang it since the
   * tailer armed. No wake-up is lost: an appender publishing after the tailer's last
   * look sees its bit (the tailer raised it before looking); it then rings, or finds
   * `rung` set by an appender that set it after the tailer cleared it and so rings
   * after that — after the tailer's last wake drained the FIFO, so the byte is there
   * for the coming wait. An appender that rang is never needed to ring again until
   * the tailer wakes, looks, and arms anew. The claim is made with the doorbell already
   * open, so only the write itself separates claiming from ringing; an appender that
   * dies in between leaves the tailer to its periodic look (QueueOptions.doorbellRecheckMs).
   */
  #ringSleepers(bells: number): void {
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
      const bit = 1 << slot;
      if ((bells & bit) === 0 || (Atomics.load(this.#i32, OFF.rung / 4) & bit) !== 0) continue;
      const bell = this.#bellToRing(slot);
      if (bell === undefined) continue;
      if ((Atomics.or(this.#i32, OFF.rung / 4, bit) & bit) !== 0) continue;
      try {
        bell.ring();
      } catch {
        // Cannot happen with a FIFO opened read-write; if it does, let another ring.
        Atomics.and(this.#i32, OFF.rung / 4, ~bit);
      }
    }
  }

  /**
   * The slot's doorbell, opened once per process. If it cannot be opened (no
   * descriptors left, no permission), undefined for a second before the next try; the
   * tailer, looking again every doorbellRecheckMs when it sleeps on a doorbell, still
   * sees every record.
   */
  #bellToRing(slot: number): Doorbell | undefined {
    const open = this.#bells[slot];
    if (open !== undefined) return open;
    if (Date.now() - (this.#bellFailedAt[slot] ?? -Infinity) < 1000) return undefined;
    try {
      return (this.#bells[slot] = this.openDoorbell(slot));
    } catch {
      this.#bellFailedAt[slot] = Date.now();
      return undefined;
    }
  }

  /** The slot's doorbell, for its tailer to wait on (its own descriptor). */
  openDoorbell(slot: number): Doorbell {
    return Doorbell.open(doorbellPath(this.#dir, slot), { mode: this.#bellMode });
  }

  bootIdMatches(): boolean {
    const current = currentBootId();
    return current.every((b, i) => this.#bytes[OFF.bootId + i] === b);
  }
  setBootId(): void {
    this.#bytes.set(currentBootId(), OFF.bootId);
  }

  /** One process at a time recovers after a reboot; returns false if another holds the lock. */
  tryLockRecovery(): boolean {
    return Atomics.compareExchange(this.#i32, OFF.recoveryLock / 4, 0, process.pid) === 0;
  }
  recoveryHolder(): number {
    return Atomics.load(this.#i32, OFF.recoveryLock / 4);
  }
  breakRecoveryLock(holder: number): boolean {
    return Atomics.compareExchange(this.#i32, OFF.recoveryLock / 4, holder, 0) === holder;
  }
  unlockRecovery(): void {
    Atomics.store(this.#i32, OFF.recoveryLock / 4, 0);
  }

  // Tailer slots.
  slotState(slot: number): number {
    return Atomics.load(this.#i32, (OFF.slots + slot * SLOT_SIZE) / 4);
  }
  slotPid(slot: number): number {
    return Atomics.load(this.#i32, (OFF.slots + slot * SLOT_SIZE + 4) / 4);
  }
  slotName(slot: number): string {
    const base = OFF.slots + slot * SLOT_SIZE;
    const length = Math.min(Atomics.load(this.#i32, (base + 16) / 4), MAX_NAME_BYTES);
    return new TextDecoder().decode(this.#bytes.subarray(base + 20, base + 20 + length));
  }
  slotPosition(slot: number): number {
    return this.#load64(OFF.slots + slot * SLOT_SIZE + 8);
  }
  setSlotPosition(slot: number, position: number): void {
    Atomics.store(this.#i64, (OFF.slots + slot * SLOT_SIZE + 8) / 8, BigInt(position));
  }

  /** Frees anonymous slots whose process is gone (they died without closing). */
  reclaimAbandonedSlots(alive: (pid: number) => boolean): void {
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
      const base = OFF.slots + slot * SLOT_SIZE;
      if (this.slotState(slot) !== SlotState.anonymous || alive(this.slotPid(slot))) continue;
      this.setWaiting(slot, false);
      this.disarmDoorbell(slot);
      Atomics.compareExchange(this.#i32, base / 4, SlotState.anonymous, SlotState.free);
    }
  }

  /** Claims a free slot for this process; undefined when all are taken. */
  claimSlot(state: number, name: Uint8Array | undefined, position: number): number | undefined {
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
      const base = OFF.slots + slot * SLOT_SIZE;
      if (Atomics.compareExchange(this.#i32, base / 4, SlotState.free, SlotState.initializing) !== SlotState.free) {
        continue;
      }
      Atomics.store(this.#i32, (base + 4) / 4, process.pid);
      this.setSlotPosition(slot, position);
      this.#bytes.fill(0, base + 20, base + 20 + MAX_NAME_BYTES);
      if (name !== undefined) this.#bytes.set(name, base + 20);
      Atomics.store(this.#i32, (base + 16) / 4, name?.length ?? 0);
      Atomics.store(this.#i32, base / 4, state);
      return slot;
    }
    return undefined;
  }

  adoptSlot(slot: number): void {
    Atomics.store(this.#i32, (OFF.slots + slot * SLOT_SIZE + 4) / 4, process.pid);
  }

  releaseSlot(slot: number): void {
    this.setWaiting(slot, false);
    this.disarmDoorbell(slot);
    Atomics.store(this.#i32, (OFF.slots + slot * SLOT_SIZE) / 4, SlotState.free);
  }

  /** Flushes the meta page (durable point, cursors) to disk. */
  flushSync(): void {
    this.mapping.msyncSync(0, META_SIZE);
  }

  async flush(): Promise<void> {
    await this.mapping.msync(0, META_SIZE);
  }

  close(): void {
    for (const bell of this.#bells) bell?.close();
    this.#bells.length = 0;
    if (!this.mapping.closed) this.mapping.unmap();
  }
}
