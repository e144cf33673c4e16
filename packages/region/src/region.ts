// What users hold: a read-only region, and a writable region that adds every method
// that writes or flushes. Two types, so calling write() or flush() on a region opened
// with mode 'r' is a compile error; at run time those methods do not exist on it.
import type { Advice, ByteRange, MapsyncError } from '@mapsync/native';

import type { FlushReport, FlushStrategy } from './flush.js';
import type {
  ArrayView,
  Fields,
  Input,
  Layout,
  ReadonlyArrayView,
  ReadonlyRecordView,
  RecordView,
  StructLayout,
  Value,
} from './layout/types.js';
import type { RangeOptions } from './ranges.js';
import type { Storage } from './storage.js';

export type RegionMode = 'r' | 'rw';

/** Advices that lose data or change what later reads return. */
export type DestructiveAdvice = 'dontneed' | 'free' | 'remove' | 'wipeonfork';
export type SafeAdvice = Exclude<Advice, DestructiveAdvice>;

/** Bytes of a read-only mapping. Writing into them would kill the process (SIGSEGV). */
export type ReadonlyBytes = Readonly<Uint8Array>;

export interface ArrayOptions {
  /** Where the first element starts. Default 0. */
  readonly offset?: number;
  /** How many elements. Default: as many as fit between `offset` and the end of the region. */
  readonly count?: number;
}

export interface Residency {
  /** The page-aligned range that was asked about. */
  readonly offset: number;
  readonly length: number;
  /** One entry per page: 1 when the page is in the page cache, 0 otherwise. */
  readonly pages: Uint8Array;
  /** How many of the pages are resident. */
  readonly resident: number;
}

export interface FlushOptions {
  /**
   * Flush this range instead of the dirty pages. It is aligned for you (start down to a
   * page, end up) and the report says which bytes were synced. Giving only `offset`
   * flushes to the end of the region; `{ offset: 0 }` flushes all of it.
   */
  readonly offset?: number;
  readonly length?: number;
  /** Default `'msync'` (MS_SYNC). See FlushStrategy. */
  readonly strategy?: FlushStrategy;
  /**
   * Add MS_INVALIDATE to the msync calls (the guide's MS_SYNC | MS_INVALIDATE). Does
   * nothing on Linux, except fail with EBUSY on locked pages; for portable code.
   */
  readonly invalidate?: boolean;
}

export interface ResizeOptions {
  /**
   * Required to shrink: shrinking truncates the file, so the bytes past the new end
   * are gone, and another process still mapping them gets SIGBUS when it touches them.
   */
  readonly truncate?: boolean;
}

export interface ReadonlyRegion extends Disposable {
  readonly path: string;
  readonly mode: RegionMode;
  /** Bytes mapped, from file offset 0. May exceed 4 GiB. */
  readonly size: number;
  /** Bumped by every resize; views from an older generation throw ESTALE. */
  readonly generation: number;
  readonly closed: boolean;

  /**
   * A live view of `length` bytes at `offset` (no copy). Default: the whole region,
   * when it fits one ArrayBuffer (4 GiB on Node 20); past that, ask for windows.
   * Detached (length 0) by resize and close.
   */
  bytes(offset?: number, length?: number): ReadonlyBytes;
  /** A copy of `length` bytes at `offset`; may cross windows. */
  read(offset: number, length: number): Uint8Array;
  /** The value of `layout` at `offset`, as a plain copy. */
  get<L extends Layout>(layout: L, offset?: number): Value<L>;
  /** A live view of the record at `offset`. */
  view<F extends Fields>(layout: StructLayout<F>, offset?: number): ReadonlyRecordView<F>;
  /** A live view of consecutive elements (a table of records, or of numbers). */
  array<E extends Layout>(element: E, options?: ArrayOptions): ReadonlyArrayView<E>;

  /**
   * msync(MS_INVALIDATE) over the range (aligned for you). On Linux this does nothing:
   * mmap and read()/write() share one page cache, so another process's write() is
   * already visible. It fails with EBUSY on locked pages. For portable code.
   */
  invalidate(range?: RangeOptions): void;
  /** madvise(2) over the range (aligned for you). Destructive advices: adviseDestructive(). */
  advise(advice: SafeAdvice, range?: RangeOptions): void;
  /**
   * Faults the range's pages (aligned for you) in now, on a thread-pool thread
   * (MADV_POPULATE_READ, Linux 5.14+): later reads take no page fault.
   */
  prefault(range?: RangeOptions): Promise<void>;
  /** mincore(2): which pages of the range (aligned for you) are in the page cache. */
  residency(range?: RangeOptions): Residency;
  /** mlock(2) the range (aligned for you); needs CAP_IPC_LOCK or RLIMIT_MEMLOCK room. */
  lock(range?: RangeOptions): void;
  unlock(range?: RangeOptions): void;

  /**
   * Unmaps and closes the file. Views are detached; any later call, and a second
   * close(), throws ECLOSED. Does not flush: unflushed writes reach the disk whenever
   * the kernel writes them back, with no guarantee. `[Symbol.dispose]` closes once.
   * With `keepViews`, byte views stay attached (see CloseOptions).
   */
  close(options?: CloseOptions): void;
}

export interface CloseOptions {
  /**
   * Leave the byte views from `bytes()` attached: the file is closed now, and the
   * mapping is unmapped once the garbage collector has collected the last of them.
   * For zero-copy views whose lifetime the region cannot know (a queue hands out
   * records this way). Layout views still fail with ECLOSED, as after any close.
   */
  readonly keepViews?: boolean;
}

export interface PrefaultOptions {
  /**
   * Fault the pages in writable (MADV_POPULATE_WRITE): later stores take no fault.
   * The pages become dirty, as a store would make them; contents do not change.
   */
  readonly write?: boolean;
}

export interface WritableRegion extends ReadonlyRegion, Storage {
  readonly mode: 'rw';
  /**
   * prefault() that can fault pages in writable: for an appender that will write fresh
   * pages (a store fault on a file page costs microseconds), done ahead, off the event loop.
   */
  prefault(range?: RangeOptions, options?: PrefaultOptions): Promise<void>;
  /**
   * The first error a flush met (EIO...), if any. From then on every flush rejects
   * with that same error until the file is reopened: after a failed writeback the
   * kernel may mark pages clean, so a retried flush can "succeed" with data lost.
   */
  readonly failure: MapsyncError | undefined;

  /** A live writable view. Writes through it are not tracked: report them with markDirty(). */
  bytes(offset?: number, length?: number): Uint8Array;
  view<F extends Fields>(layout: StructLayout<F>, offset?: number): RecordView<F>;
  array<E extends Layout>(element: E, options?: ArrayOptions): ArrayView<E>;

  /** Copies `bytes` in at `offset` (may cross windows) and marks the pages dirty. */
  write(offset: number, bytes: Uint8Array): void;
  /** Writes `value` as `layout` at `offset`, all or nothing, and marks the pages dirty. */
  set<L extends Layout>(layout: L, offset: number, value: Input<L>): void;
  /** Marks the pages holding `length` bytes at `offset` dirty (after writing through bytes()). */
  markDirty(offset: number, length: number): void;
  /** The dirty pages, as page-aligned byte ranges (including any being flushed right now). */
  dirtyRanges(): ByteRange[];

  /**
   * Makes the dirty pages durable (or the given range): MS_SYNC by default, on a
   * thread-pool thread. Adjacent dirty pages are coalesced into one call each; the
   * pages are clean again only once the sync succeeded. Flushes run one after another,
   * so when this resolves, every write made before the call is durable.
   */
  flush(options?: FlushOptions): Promise<FlushReport>;
  /** The same, blocking the calling thread. */
  flushSync(options?: FlushOptions): FlushReport;
  /**
   * msync(MS_SYNC) of the pages covering [offset, offset + length) on the calling
   * thread, and nothing else: no dirty-page bookkeeping (pages marked dirty stay so),
   * no report, no coalescing with a flush in flight. For a caller that tracks what it
   * wrote itself, like a log committing the bytes it appended: flushSync's bookkeeping
   * measured ~7 µs per call here once a wait on the disk has left the caches cold
   * (0.7 µs in a hot loop). A failure poisons the region, as a flush's does.
   */
  syncRangeSync(offset: number, length: number): void;
  /**
   * msync(MS_ASYNC) over the dirty pages (or the range), which stay dirty. A no-op on
   * Linux since 2.6.19: the kernel already knows the dirty pages and writes them back
   * on its own schedule. It is not a background flush and guarantees nothing.
   */
  schedule(range?: RangeOptions): void;

  /**
   * Grows (preallocating the new bytes with fallocate) or, with `{ truncate: true }`,
   * shrinks the file and the mapping (mremap). Waits for flushes in flight. Every view
   * of the previous generation then throws ESTALE.
   */
  resize(size: number, options?: ResizeOptions): Promise<void>;
  /** The same, on the calling thread; EBUSY while a flush is in flight. */
  resizeSync(size: number, options?: ResizeOptions): void;
  /**
   * madvise(2) with an advice that loses data or changes later reads ('remove' punches
   * a hole: the range then reads as zeros). The range is not rounded for you: it must
   * start on a page and end on a page or at the end of the region.
   */
  adviseDestructive(advice: DestructiveAdvice, range: ByteRange): void;
}
