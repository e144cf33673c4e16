// PageStore: transactional writes to a mapped data file, made safe by the log. The
// guide's four steps, in order: (1) the redo record goes into the mapped log, (2) the
// log is flushed, (3) only then are the data pages written, (4) data pages are flushed
// at checkpoint, before the checkpoint mark that lets the log forget them. Recovery
// re-applies every record after the last checkpoint mark: the redo records carry full
// byte images, so applying them again is harmless and restores exactly the committed state.
import { MapsyncError, MapsyncRangeError, validate } from '@mapsync/native';

import { FileVolume } from './file-volume.js';
import { WriteAheadLog, type LogOptions, type RecoveryReport } from './log.js';
import type { LogVolume, SegmentFile } from './volume.js';

export const DATA_FILE = 'data.db';

export interface PageStoreOptions {
  /** Size of the data file in bytes when it is created (an existing file keeps its size). */
  readonly size?: number;
  /** Storage for the data file and the log (default: files in the directory). */
  readonly volume?: LogVolume;
  /** Options for the log (segment size, repair...). */
  readonly log?: Omit<LogOptions, 'volume'>;
}

export interface PageStoreRecovery {
  readonly log: RecoveryReport;
  /** Redo records re-applied to the data file. */
  readonly replayed: number;
  /** The checkpoint mark recovery started from. */
  readonly checkpointLsn: number;
}

/** Collects the writes of one transaction; nothing touches the data file until commit. */
export interface Transaction {
  write(offset: number, bytes: Uint8Array): void;
}

interface Write {
  readonly offset: number;
  readonly bytes: Uint8Array;
}

// Redo record: u32 count, then per write: u32 offset low, u32 offset high, u32 length, bytes.
function encodeRedo(writes: Write[]): Uint8Array {
  const size = writes.reduce((n, w) => n + 12 + w.bytes.length, 4);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, writes.length, true);
  let at = 4;
  for (const w of writes) {
    dv.setUint32(at, w.offset >>> 0, true);
    dv.setUint32(at + 4, Math.floor(w.offset / 2 ** 32), true);
    dv.setUint32(at + 8, w.bytes.length, true);
    out.set(w.bytes, at + 12);
    at += 12 + w.bytes.length;
  }
  return out;
}

function* decodeRedo(payload: Uint8Array, dataSize: number, lsn: number): Generator<Write> {
  const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const malformed = (): MapsyncError =>
    new MapsyncError('ECORRUPT', `redo record ${lsn} is malformed or does not fit the data file`);
  if (payload.length < 4) throw malformed();
  const count = dv.getUint32(0, true);
  let at = 4;
  for (let i = 0; i < count; i++) {
    if (at + 12 > payload.length) throw malformed();
    const offset = dv.getUint32(at + 4, true) * 2 ** 32 + dv.getUint32(at, true);
    const length = dv.getUint32(at + 8, true);
    if (at + 12 + length > payload.length || offset + length > dataSize) throw malformed();
    yield { offset, bytes: payload.subarray(at + 12, at + 12 + length) };
    at += 12 + length;
  }
}

export class PageStore {
  readonly recovery: PageStoreRecovery;
  readonly #log: WriteAheadLog;
  readonly #data: SegmentFile;
  /** The volume open() made for the directory (not one passed in): close() releases its lock. */
  #volume: LogVolume | undefined;
  /** Highest LSN whose writes are in the data mapping. */
  #appliedLsn: number;
  #closed = false;
  /** Set when a data flush failed: the kernel may now consider lost pages clean. */
  #failure: MapsyncError | undefined;

  private constructor(log: WriteAheadLog, data: SegmentFile) {
    this.#log = log;
    this.#data = data;
    const checkpointLsn = log.recovery.checkpointLsn;
    let replayed = 0;
    for (const record of log.records(checkpointLsn + 1)) {
      if (record.type !== 'data') continue;
      this.#apply(decodeRedo(record.payload, data.bytes.length, record.lsn));
      replayed++;
    }
    // Replayed pages go to disk now, so the next checkpoint does not depend on them.
    if (replayed > 0) data.flushSync(0, data.bytes.length);
    this.#appliedLsn = log.lastLsn;
    this.recovery = { log: log.recovery, replayed, checkpointLsn };
  }

  /** Opens (creating if needed) the store in `dir`: `data.db` plus the log segments. */
  static open(dir: string, options: PageStoreOptions = {}): PageStore {
    validate.checkObject(options, 'options');
    const owned = options.volume === undefined;
    const volume = options.volume ?? new FileVolume(validate.checkPath(dir, 'dir'), { create: true, lock: true });
    let data: SegmentFile | undefined;
    try {
      data = volume.list().includes(DATA_FILE)
        ? volume.open(DATA_FILE, true)
        : volume.create(DATA_FILE, validate.checkSize(options.size, 'options.size', 2 ** 30, 1), new Uint8Array(0));
      const log = WriteAheadLog.open(dir, { ...options.log, volume });
      const store = new PageStore(log, data);
      if (owned) store.#volume = volume;
      return store;
    } catch (error) {
      data?.close();
      if (owned) volume.release?.();
      throw error;
    }
  }

  get size(): number {
    return this.#data.bytes.length;
  }

  /** The log underneath (for inspection: LSNs, records). */
  get log(): WriteAheadLog {
    return this.#log;
  }

  /** A copy of committed bytes. */
  read(offset: number, length: number): Uint8Array {
    this.#checkOpen();
    validate.checkRange(validate.checkSize(offset, 'offset'), validate.checkSize(length, 'length'), this.size, 'the data file');
    return this.#data.bytes.slice(offset, offset + length);
  }

  /**
   * Runs `fn` to collect writes, logs them as one redo record, waits until it is
   * durable, then applies them to the data file. Resolves with the record's LSN: from
   * then on the writes survive any crash. If `fn` throws, nothing is written. A
   * synchronous `fn` is logged before this returns, so LSNs follow call order.
   */
  async transaction(fn: (tx: Transaction) => void | Promise<void>): Promise<number> {
    this.#checkUsable();
    const writes: Write[] = [];
    const size = this.size;
    const pending = fn({
      write(offset, bytes) {
        validate.checkBytes(bytes, 'bytes');
        validate.checkRange(validate.checkSize(offset, 'offset'), bytes.length, size, 'the data file');
        writes.push({ offset, bytes: bytes.slice() });
      },
    });
    if (pending instanceof Promise) await pending;
    this.#checkUsable();
    if (writes.length === 0) return this.#log.durableLsn;
    const payload = encodeRedo(writes);
    if (payload.length > this.#log.maxPayload) {
      throw new MapsyncRangeError(
        'ERR_RECORD_TOO_LARGE',
        `a transaction of ${payload.length} bytes exceeds one log record (${this.#log.maxPayload}); split it`,
      );
    }
    const lsn = this.#log.append(payload);
    await this.#log.commit(lsn);
    // Commits resolve in LSN order, so transactions are applied in log order.
    this.#apply(writes);
    this.#appliedLsn = Math.max(this.#appliedLsn, lsn);
    return lsn;
  }

  /**
   * Flushes the data file, then logs a checkpoint mark, then lets the log drop what the
   * mark covers. Resolves with the LSN covered.
   */
  async checkpoint(): Promise<number> {
    this.#checkUsable();
    const covered = this.#appliedLsn;
    try {
      await this.#data.flush(0, this.#data.bytes.length);
    } catch (error) {
      // A retried flush could "succeed" without writing the lost pages (fsyncgate):
      // stop here, and let recovery replay the log over the data file.
      this.#failure ??= new MapsyncError(
        'ESTOREFAILED',
        'flushing the data file failed; nothing more will be acknowledged. Reopen the store to recover.',
        { cause: error },
      );
      throw this.#failure;
    }
    const markLsn = await this.#log.checkpoint(covered);
    this.#log.dropBefore(Math.min(covered + 1, markLsn));
    return covered;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#log.close();
    } finally {
      this.#data.close();
      this.#volume?.release?.();
    }
  }

  #apply(writes: Iterable<Write>): void {
    for (const w of writes) this.#data.bytes.set(w.bytes, w.offset);
  }

  #checkOpen(): void {
    if (this.#closed) throw new MapsyncError('ECLOSED', 'the page store is closed');
  }

  #checkUsable(): void {
    this.#checkOpen();
    if (this.#failure !== undefined) throw this.#failure;
  }
}
