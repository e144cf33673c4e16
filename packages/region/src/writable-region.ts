// A mapped file opened for writing: writes that mark pages dirty, flushes of the dirty
// set (coalesced) or of a range, poisoning after a failed flush, resize, destructive
// advice. Flushes and resizes run one after another through one queue, so a flush
// resolves only once every write made before it was called is durable, and a remap
// never moves the address under a flush in flight.
import { closeSync, ftruncateSync, openSync } from 'node:fs';

import {
  MS,
  MapsyncError,
  MapsyncRangeError,
  fallocate,
  fallocateSync,
  pageSize,
  validate,
  type ByteRange,
} from '@mapsync/native';

import { DirtyPages, unionRuns, type PageRun } from './dirty-pages.js';
import { fileError } from './errors.js';
import {
  FLUSH_STRATEGIES,
  syncRanges,
  syncRangesSync,
  type FlushReport,
  type FlushStrategy,
  type FlushTarget,
} from './flush.js';
import { codecOf } from './layout/codec.js';
import type { ArrayView, Fields, Input, Layout, RecordView, StructLayout } from './layout/types.js';
import type { Access } from './layout/views.js';
import { checkedRange, isPageAligned, pageAligned, type RangeOptions } from './ranges.js';
import { ReadonlyMappedRegion, type RegionParts } from './readonly-region.js';
import type {
  ArrayOptions,
  DestructiveAdvice,
  FlushOptions,
  ResizeOptions,
  WritableRegion,
} from './region.js';

const DESTRUCTIVE_ADVICES: readonly DestructiveAdvice[] = [
  'dontneed',
  'free',
  'remove',
  'wipeonfork',
];

interface FlushChoice {
  readonly strategy: FlushStrategy;
  readonly invalidate: boolean;
  /** Undefined: the dirty pages. */
  readonly range: RangeOptions | undefined;
}

export class WritableMappedRegion extends ReadonlyMappedRegion implements WritableRegion {
  protected override readonly access: Access = 'writable';
  readonly #dirty: DirtyPages;
  readonly #flushTarget: FlushTarget;
  #failure: MapsyncError | undefined;
  // Flushes and resizes, chained; never rejects (each caller gets its own outcome).
  #queue: Promise<unknown> = Promise.resolve();
  // Queued or running operations; the fd is closed only once they are all done.
  #pending = 0;
  #fileReleased = false;
  // Pages taken by the flush running now: still dirty as far as anyone can tell.
  #inFlight: readonly PageRun[] = [];
  // An async flush's system calls are running (a range flush takes no pages, so
  // #inFlight alone cannot tell).
  #asyncSyncing = false;
  // A descriptor of the file's own, opened before the first async flush. Linux reports
  // a write-back error once per open file, and both kinds of flush go through the
  // mapping's: a sync flush overlapping an async one could return as if pages were
  // durable whose write-back failed, the async flush having taken the error. Found on
  // a failing disk (a log's commitSync acknowledged a record the device never got).
  #errorFd: number | undefined;

  constructor(parts: RegionParts) {
    const dirty = new DirtyPages(pageSize, parts.size);
    super(parts, dirty);
    this.#dirty = dirty;
    this.#flushTarget = {
      mapping: parts.mapping,
      fd: parts.fd,
      syscalls: parts.syscalls,
      checkOpen: () => {
        this.checkOpen();
      },
    };
  }

  override get mode(): 'rw' {
    return 'rw';
  }

  get failure(): MapsyncError | undefined {
    return this.#failure;
  }

  override bytes(offset = 0, length?: number): Uint8Array {
    return super.bytes(offset, length);
  }

  override view<F extends Fields>(layout: StructLayout<F>, offset = 0): RecordView<F> {
    return super.view(layout, offset) as unknown as RecordView<F>;
  }

  override array<E extends Layout>(element: E, options: ArrayOptions = {}): ArrayView<E> {
    return super.array(element, options) as unknown as ArrayView<E>;
  }

  write(offset: number, bytes: Uint8Array): void {
    this.checkOpen();
    const source = validate.checkBytes(bytes, 'bytes');
    const start = validate.checkSize(offset, 'offset');
    validate.checkRange(start, source.length, this.size, 'the region');
    this.eachWindow(start, source.length, (window, at, done, count) => {
      window.bytes.set(source.subarray(done, done + count), at);
    });
    this.#dirty.mark(start, source.length);
  }

  set<L extends Layout>(layout: L, offset: number, value: Input<L>): void {
    this.checkNotClosed();
    const { target, at } = this.layoutAt(layout, offset);
    codecOf(layout).write(target.dv, at, value, 'value');
    this.#dirty.mark(offset, layout.size);
  }

  markDirty(offset: number, length: number): void {
    this.checkNotClosed();
    const start = validate.checkSize(offset, 'offset');
    const size = validate.checkSize(length, 'length');
    validate.checkRange(start, size, this.size, 'the region');
    this.#dirty.mark(start, size);
  }

  dirtyRanges(): ByteRange[] {
    this.checkOpen();
    return this.#byteRanges(unionRuns(this.#dirty.runs(), this.#inFlight));
  }

  async flush(options: FlushOptions = {}): Promise<FlushReport> {
    const choice = this.#flushChoice(options);
    this.checkOpen();
    return this.#enqueue(async () => {
      const { taken, ranges } = this.#takeForFlush(choice, []);
      this.#inFlight = taken;
      // /proc/self/fd: the same file even if its name has changed since it was opened.
      this.#errorFd ??= openSync(`/proc/self/fd/${this.fd}`, 'r');
      this.#asyncSyncing = true;
      try {
        const report = await syncRanges(this.#flushTarget, ranges, choice.strategy, choice.invalidate);
        // A sync flush that failed meanwhile may have taken the error of these very
        // pages (reported once per open file): then this success proves nothing.
        if (this.#failure !== undefined) throw this.#failure;
        return report;
      } catch (error) {
        throw this.#flushFailed(error, taken);
      } finally {
        this.#asyncSyncing = false;
        this.#inFlight = [];
      }
    });
  }

  flushSync(options: FlushOptions = {}): FlushReport {
    const choice = this.#flushChoice(options);
    // Pages an async flush is syncing right now are not durable yet: sync them too.
    const { taken, ranges } = this.#takeForFlush(choice, this.#inFlight);
    try {
      const report = syncRangesSync(this.#flushTarget, ranges, choice.strategy, choice.invalidate);
      this.#checkOverlappedSync();
      return report;
    } catch (error) {
      throw this.#flushFailed(error, taken);
    }
  }

  /**
   * After a sync flush that overlapped an async one: ask through the region's own
   * descriptor whether a write-back failed, since the async flush may have taken the
   * error reported through the mapping's. Costs one fdatasync, only in that overlap.
   */
  #checkOverlappedSync(): void {
    if (this.#asyncSyncing && this.#errorFd !== undefined) this.syscalls.fdatasyncSync(this.#errorFd);
  }

  syncRangeSync(offset: number, length: number): void {
    this.checkOpen();
    if (this.#failure !== undefined) throw this.#failure;
    const pages = pageAligned(checkedRange({ offset, length }, this.size), this.size);
    if (pages.length === 0) return;
    try {
      this.syscalls.msyncSync(this.mapping, pages.offset, pages.length, MS.SYNC);
      this.#checkOverlappedSync();
    } catch (error) {
      throw this.#flushFailed(error, []);
    }
  }

  schedule(range?: RangeOptions): void {
    this.checkOpen();
    const ranges =
      range === undefined
        ? this.#byteRanges(this.#dirty.runs())
        : [pageAligned(checkedRange(range, this.size), this.size)];
    for (const pages of ranges) {
      if (pages.length > 0)
        this.syscalls.msyncSync(this.mapping, pages.offset, pages.length, MS.ASYNC);
    }
  }

  async resize(size: number, options: ResizeOptions = {}): Promise<void> {
    const { newSize, truncate } = checkResize(size, options);
    this.checkOpen();
    await this.#enqueue(async () => {
      this.checkOpen();
      const oldSize = this.#checkShrink(newSize, truncate);
      if (newSize > oldSize) await fallocate(this.fd, oldSize, newSize - oldSize);
      this.#remap(newSize);
    });
  }

  resizeSync(size: number, options: ResizeOptions = {}): void {
    const { newSize, truncate } = checkResize(size, options);
    this.checkOpen();
    if (this.#pending > 0) {
      throw new MapsyncError(
        'EBUSY',
        'a flush or resize of this region is in flight; await it, or use resize()',
        {
          path: this.path,
        },
      );
    }
    const oldSize = this.#checkShrink(newSize, truncate);
    if (newSize > oldSize) fallocateSync(this.fd, oldSize, newSize - oldSize);
    this.#remap(newSize);
  }

  adviseDestructive(advice: DestructiveAdvice, range: ByteRange): void {
    this.checkOpen();
    validate.checkOneOf(advice, DESTRUCTIVE_ADVICES, 'advice');
    const pages = checkedRange(validate.checkObject(range, 'range'), this.size);
    if (!isPageAligned(pages, this.size)) {
      throw new MapsyncRangeError(
        'ERR_UNALIGNED',
        `a destructive advice is not rounded for you (it would reach bytes you did not name): ` +
          `[${pages.offset}, ${pages.offset + pages.length}) must start on a ${pageSize}-byte page ` +
          'and end on one or at the end of the region',
      );
    }
    if (pages.length > 0)
      this.mapping.madvise(pages.offset, pages.length, advice, { allowDestructive: true });
  }

  protected override releaseFile(): void {
    if (this.#pending === 0) this.#closeFile();
  }

  #closeFile(): void {
    if (this.#fileReleased) return;
    this.#fileReleased = true;
    closeSync(this.fd);
    if (this.#errorFd !== undefined) closeSync(this.#errorFd);
  }

  #enqueue<T>(operation: () => Promise<T>): Promise<T> {
    // Nothing queued: start at once rather than a promise turn later (an awaited flush is
    // the log's commit latency).
    const started = this.#pending === 0 ? operation() : this.#queue.then(operation);
    this.#pending++;
    const run = started.finally(() => {
      this.#pending--;
      if (this.closed && this.#pending === 0) this.#closeFile();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #flushChoice(options: FlushOptions): FlushChoice {
    const opts = validate.checkObject(options, 'options');
    const strategy = validate.checkOneOf(
      opts.strategy ?? 'msync',
      FLUSH_STRATEGIES,
      'options.strategy',
    );
    const invalidate = validate.checkBoolean(opts.invalidate ?? false, 'options.invalidate');
    const range = opts.offset === undefined && opts.length === undefined ? undefined : options;
    // Checked now so a bad range fails before anything is queued; checked again when run.
    if (range !== undefined) checkedRange(range, this.size, 'options');
    return { strategy, invalidate, range };
  }

  /** Which pages this flush makes clean, and the byte ranges it syncs for that. */
  #takeForFlush(
    choice: FlushChoice,
    alsoSync: readonly PageRun[],
  ): { taken: PageRun[]; ranges: ByteRange[] } {
    this.checkOpen();
    if (this.#failure !== undefined) throw this.#failure;
    if (choice.range === undefined) {
      const taken = this.#dirty.take();
      return { taken, ranges: this.#byteRanges(unionRuns(taken, alsoSync)) };
    }
    const pages = pageAligned(checkedRange(choice.range, this.size, 'options'), this.size);
    const first = pages.offset / pageSize;
    const taken = this.#dirty.takeRange(first, first + Math.ceil(pages.length / pageSize));
    return { taken, ranges: [pages] };
  }

  /** Gives the pages back and, for a failed system call, poisons the region. */
  #flushFailed(error: unknown, taken: readonly PageRun[]): unknown {
    this.#dirty.restore(taken);
    if (error instanceof MapsyncError && error.errno !== undefined) this.#failure ??= error;
    return error;
  }

  #byteRanges(runs: readonly PageRun[]): ByteRange[] {
    return runs.map((run) => {
      const offset = run.first * pageSize;
      return { offset, length: Math.min(run.count * pageSize, this.size - offset) };
    });
  }

  #checkShrink(newSize: number, truncate: boolean): number {
    const oldSize = this.size;
    if (newSize < oldSize && !truncate) {
      throw new MapsyncRangeError(
        'ERR_SHRINK_NEEDS_TRUNCATE',
        `shrinking '${this.path}' from ${oldSize} to ${newSize} bytes truncates the file (the bytes past the end ` +
          'are lost, and another process mapping them gets SIGBUS); pass { truncate: true } to mean it',
      );
    }
    return oldSize;
  }

  // The mapping shrinks before the file does, so no page of ours ever lies past EOF.
  #remap(newSize: number): void {
    const oldSize = this.size;
    if (newSize === oldSize) return;
    this.mapping.remap(newSize);
    this.nextGeneration(newSize);
    this.#dirty.resize(newSize);
    if (newSize < oldSize) {
      try {
        ftruncateSync(this.fd, newSize);
      } catch (error) {
        throw fileError(error, this.path);
      }
    }
  }
}

function checkResize(size: number, options: ResizeOptions): { newSize: number; truncate: boolean } {
  const newSize = validate.checkSize(size, 'size', Number.MAX_SAFE_INTEGER, 1);
  const truncate = validate.checkBoolean(
    validate.checkObject(options, 'options').truncate ?? false,
    'options.truncate',
  );
  return { newSize, truncate };
}
