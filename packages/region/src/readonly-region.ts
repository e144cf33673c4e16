// A mapped file opened for reading: bytes, copies and layout views over its windows,
// the advisory calls (madvise, mincore, mlock, MS_INVALIDATE), and the lifetime rules
// (close once, ECLOSED after; views retired on close and on every new generation).
import { closeSync } from 'node:fs';

import { ADVICE, MS, MapsyncError, MapsyncTypeError, validate, type Mapping } from '@mapsync/native';

import type { DirtyPages } from './dirty-pages.js';
import { closedError, crossesWindowError, staleError } from './errors.js';
import { codecOf } from './layout/codec.js';
import { isLayout } from './layout/define.js';
import type {
  Fields,
  Layout,
  ReadonlyArrayView,
  ReadonlyRecordView,
  StructLayout,
  Value,
} from './layout/types.js';
import { arrayView, recordView, type Access } from './layout/views.js';
import { checkedRange, pageAligned, type RangeOptions } from './ranges.js';
import type {
  ArrayOptions,
  CloseOptions,
  PrefaultOptions,
  ReadonlyBytes,
  ReadonlyRegion,
  RegionMode,
  Residency,
  SafeAdvice,
} from './region.js';
import type { FlushSyscalls } from './syscalls.js';
import { WindowTarget } from './window-target.js';

/** What open hands a region: an fd it now owns, and the mapping of [0, size). */
export interface RegionParts {
  readonly path: string;
  readonly fd: number;
  readonly mapping: Mapping;
  readonly size: number;
  readonly syscalls: FlushSyscalls;
}

export class ReadonlyMappedRegion implements ReadonlyRegion {
  readonly path: string;
  protected readonly fd: number;
  protected readonly mapping: Mapping;
  protected readonly syscalls: FlushSyscalls;
  protected readonly access: Access = 'readonly';
  readonly #dirty: DirtyPages | undefined;
  #size: number;
  #generation = 0;
  #closed = false;
  // The current generation's windows, made on first use.
  #windows: (WindowTarget | undefined)[] = [];

  constructor(parts: RegionParts, dirty?: DirtyPages) {
    this.path = parts.path;
    this.fd = parts.fd;
    this.mapping = parts.mapping;
    this.syscalls = parts.syscalls;
    this.#size = parts.size;
    this.#dirty = dirty;
  }

  get mode(): RegionMode {
    return 'r';
  }

  get size(): number {
    return this.#size;
  }

  get generation(): number {
    return this.#generation;
  }

  get closed(): boolean {
    return this.#closed;
  }

  bytes(offset = 0, length?: number): ReadonlyBytes {
    this.checkOpen();
    const range = checkedRange(
      length === undefined ? { offset } : { offset, length },
      this.#size,
      'bytes',
    );
    const { target, at } = this.locate(range.offset, range.length);
    return target.bytes.subarray(at, at + range.length);
  }

  read(offset: number, length: number): Uint8Array {
    this.checkOpen();
    const range = checkedRange({ offset, length }, this.#size, 'read');
    const copy = new Uint8Array(range.length);
    this.eachWindow(range.offset, range.length, (window, at, done, count) => {
      copy.set(window.bytes.subarray(at, at + count), done);
    });
    return copy;
  }

  get<L extends Layout>(layout: L, offset = 0): Value<L> {
    this.checkNotClosed();
    const { target, at } = this.layoutAt(layout, offset);
    return codecOf(layout).read(target.dv, at) as Value<L>;
  }

  view<F extends Fields>(layout: StructLayout<F>, offset = 0): ReadonlyRecordView<F> {
    this.checkOpen();
    const candidate: unknown = layout;
    if (!isLayout(candidate) || candidate.kind !== 'struct') {
      throw new MapsyncTypeError(
        'ERR_INVALID_ARG_TYPE',
        'view() takes a struct() layout; for others use array() or get()',
      );
    }
    const { target, at } = this.layoutAt(layout, offset);
    return recordView(layout, target, at, this.access) as unknown as ReadonlyRecordView<F>;
  }

  array<E extends Layout>(element: E, options: ArrayOptions = {}): ReadonlyArrayView<E> {
    this.checkOpen();
    checkLayoutArgument(element, 'element');
    const opts = validate.checkObject(options, 'options');
    const offset = validate.checkSize(opts.offset ?? 0, 'options.offset');
    validate.checkRange(offset, 0, this.#size, 'the region');
    const fitting = Math.floor((this.#size - offset) / element.size);
    const count =
      opts.count === undefined ? fitting : validate.checkSize(opts.count, 'options.count');
    validate.checkRange(offset, count * element.size, this.#size, 'the region');
    const { target, at } = this.locate(offset, count * element.size);
    return arrayView(element, target, at, count, this.access) as unknown as ReadonlyArrayView<E>;
  }

  invalidate(range?: RangeOptions): void {
    this.checkOpen();
    const pages = pageAligned(checkedRange(range, this.#size), this.#size);
    if (pages.length > 0)
      this.syscalls.msyncSync(this.mapping, pages.offset, pages.length, MS.INVALIDATE);
  }

  advise(advice: SafeAdvice, range?: RangeOptions): void {
    this.checkOpen();
    validate.checkOneOf(advice, Object.keys(ADVICE), 'advice');
    if (ADVICE[advice]?.destructive === true) {
      throw new MapsyncTypeError(
        'ERR_DESTRUCTIVE_ADVICE',
        `'${advice}' loses data or changes later reads; call adviseDestructive() on a writable region to mean it`,
      );
    }
    const pages = pageAligned(checkedRange(range, this.#size), this.#size);
    if (pages.length > 0) this.mapping.madvise(pages.offset, pages.length, advice);
  }

  async prefault(range?: RangeOptions, options: PrefaultOptions = {}): Promise<void> {
    this.checkOpen();
    const write = validate.checkBoolean(validate.checkObject(options, 'options').write ?? false, 'options.write');
    if (write && this.mode !== 'rw') {
      throw new MapsyncTypeError(
        'ERR_INVALID_ARG_VALUE',
        `'${this.path}' is mapped read-only: options.write needs a writable region`,
      );
    }
    const pages = pageAligned(checkedRange(range, this.#size), this.#size);
    if (pages.length > 0) await this.mapping.prefault(pages.offset, pages.length, { write });
  }

  residency(range?: RangeOptions): Residency {
    this.checkOpen();
    const pages = pageAligned(checkedRange(range, this.#size), this.#size);
    const map =
      pages.length > 0 ? this.mapping.mincore(pages.offset, pages.length) : new Uint8Array(0);
    const resident = map.reduce((sum, page) => sum + page, 0);
    return { offset: pages.offset, length: pages.length, pages: map, resident };
  }

  lock(range?: RangeOptions): void {
    this.checkOpen();
    const pages = pageAligned(checkedRange(range, this.#size), this.#size);
    if (pages.length > 0) this.mapping.mlock(pages.offset, pages.length);
  }

  unlock(range?: RangeOptions): void {
    this.checkOpen();
    const pages = pageAligned(checkedRange(range, this.#size), this.#size);
    if (pages.length > 0) this.mapping.munlock(pages.offset, pages.length);
  }

  close(options: CloseOptions = {}): void {
    // Not checkOpen(): a region whose file was truncated must still be closable.
    if (this.#closed) throw closedError(this.path);
    const keepViews = validate.checkBoolean(validate.checkObject(options, 'options').keepViews ?? false, 'options.keepViews');
    this.#closed = true;
    this.#retireWindows(() => closedError(this.path));
    try {
      // Not unmapped: each byte view's buffer holds the mapping, and the last one
      // collected unmaps it.
      if (!keepViews) this.mapping.unmap();
    } finally {
      this.releaseFile();
    }
  }

  [Symbol.dispose](): void {
    if (!this.#closed) this.close();
  }

  /**
   * The check for per-field hot paths (get, set, markDirty): closed or not, nothing more.
   * Asking the native layer whether the file was truncated costs a call into C++ (~70
   * ns, 17x a markDirty); those paths leave it to the next flush, read or write.
   */
  protected checkNotClosed(): void {
    if (this.#closed) throw closedError(this.path);
  }

  protected checkOpen(): void {
    if (this.#closed) throw closedError(this.path);
    // The file was truncated under the mapping and a page past its end was touched: the
    // native guard kept the process alive; from now on every call says so.
    if (this.mapping.faulted) {
      throw new MapsyncError(
        'ETRUNCATED',
        `'${this.path}' was truncated while mapped (a page past its end was touched): ` +
          'reads there returned zeros and writes there are lost; close the region and reopen it',
        { path: this.path },
      );
    }
  }

  /** Closes the fd; a writable region defers this while a flush still needs it. */
  protected releaseFile(): void {
    closeSync(this.fd);
  }

  /** After a remap: the old windows are retired (their views throw ESTALE), size updated. */
  protected nextGeneration(size: number): void {
    const previous = this.#generation;
    this.#retireWindows(() => staleError(this.path, previous));
    this.#size = size;
    this.#generation++;
  }

  /** The window holding [offset, offset + length), and where the range starts in it. */
  protected locate(offset: number, length: number): { target: WindowTarget; at: number } {
    const windowSize = this.mapping.windowSize;
    const index = Math.min(Math.floor(offset / windowSize), Math.ceil(this.#size / windowSize) - 1);
    const target = this.#window(index);
    const at = offset - target.start;
    if (at + length > target.bytes.length) throw crossesWindowError(offset, length, windowSize);
    return { target, at };
  }

  /** Calls `visit` for each window-sized piece of [offset, offset + length). */
  protected eachWindow(
    offset: number,
    length: number,
    visit: (window: WindowTarget, at: number, done: number, count: number) => void,
  ): void {
    let done = 0;
    while (done < length) {
      const { target, at } = this.locate(offset + done, 0);
      const count = Math.min(length - done, target.bytes.length - at);
      visit(target, at, done, count);
      done += count;
    }
  }

  protected layoutAt(layout: Layout, offset: number): { target: WindowTarget; at: number } {
    checkLayoutArgument(layout, 'layout');
    const start = validate.checkSize(offset, 'offset');
    validate.checkRange(start, layout.size, this.#size, 'the region');
    return this.locate(start, layout.size);
  }

  #window(index: number): WindowTarget {
    let target = this.#windows[index];
    if (target === undefined) {
      const start = index * this.mapping.windowSize;
      const length = Math.min(this.mapping.windowSize, this.#size - start);
      target = new WindowTarget(this.mapping.bytes(start, length), start, this.#dirty);
      this.#windows[index] = target;
    }
    return target;
  }

  #retireWindows(failure: () => Error): void {
    for (const target of this.#windows) target?.retire(failure);
    this.#windows = [];
  }
}

function checkLayoutArgument(value: unknown, name: string): asserts value is Layout {
  if (!isLayout(value)) {
    throw new MapsyncTypeError(
      'ERR_INVALID_ARG_TYPE',
      `${name} must be a layout (u8..f64, utf8(n), bytes(n), array(), struct())`,
    );
  }
}
