// Flags and advice names, with the Linux meaning of each.
import { constant, native } from './native.js';

/** The system page size in bytes; msync/madvise/mincore ranges start on a multiple of it. */
export const pageSize: number = native.pageSize;

/**
 * msync flags, to be OR-ed together.
 * - `SYNC`: write the dirty pages of the range and wait for the device (on Linux a
 *   ranged fdatasync: `vfs_fsync_range(file, start, end, 1)`).
 * - `ASYNC`: a no-op on Linux since 2.6.19 — the kernel already knows the dirty pages
 *   and writes them back on its own schedule. Not "flush in the background".
 * - `INVALIDATE`: does nothing on Linux (one page cache serves mmap and read/write)
 *   except fail with EBUSY on locked pages. Kept for portability.
 * `SYNC | ASYNC` is rejected by the kernel with EINVAL.
 */
export const MS = Object.freeze({
  SYNC: constant('MS_SYNC'),
  ASYNC: constant('MS_ASYNC'),
  INVALIDATE: constant('MS_INVALIDATE'),
});

export interface AdviceInfo {
  readonly value: number;
  /** Loses data or changes what later reads return: must be asked for explicitly. */
  readonly destructive: boolean;
  readonly meaning: string;
}

const adviceTable: Record<string, [constantName: string, destructive: boolean, meaning: string]> = {
  normal: ['MADV_NORMAL', false, 'default read-ahead'],
  random: ['MADV_RANDOM', false, 'expect random access: little read-ahead'],
  sequential: ['MADV_SEQUENTIAL', false, 'expect sequential access: aggressive read-ahead, early reclaim'],
  willneed: ['MADV_WILLNEED', false, 'start reading the range into the page cache now'],
  dontneed: [
    'MADV_DONTNEED',
    true,
    'drop the pages from this mapping; a shared file mapping re-reads them from the file, a private one loses its changes',
  ],
  free: ['MADV_FREE', true, 'private anonymous memory only: the kernel may discard the pages lazily'],
  remove: ['MADV_REMOVE', true, 'punch a hole: frees the file range, which then reads as zeros'],
  dontfork: ['MADV_DONTFORK', false, 'do not make the range available to a forked child'],
  dofork: ['MADV_DOFORK', false, 'undo dontfork'],
  wipeonfork: ['MADV_WIPEONFORK', true, 'a forked child sees zeros (private anonymous memory only)'],
  keeponfork: ['MADV_KEEPONFORK', false, 'undo wipeonfork'],
  mergeable: ['MADV_MERGEABLE', false, 'allow KSM to merge identical pages'],
  unmergeable: ['MADV_UNMERGEABLE', false, 'undo mergeable'],
  hugepage: ['MADV_HUGEPAGE', false, 'prefer transparent huge pages'],
  nohugepage: ['MADV_NOHUGEPAGE', false, 'avoid transparent huge pages'],
  dontdump: ['MADV_DONTDUMP', false, 'leave the range out of core dumps'],
  dodump: ['MADV_DODUMP', false, 'undo dontdump'],
  cold: ['MADV_COLD', false, 'deactivate the pages: reclaim them first under pressure'],
  pageout: ['MADV_PAGEOUT', false, 'reclaim the pages now (dirty shared pages are written back first)'],
  populate_read: ['MADV_POPULATE_READ', false, 'fault the pages in for reading now'],
  populate_write: [
    'MADV_POPULATE_WRITE',
    false,
    'fault the pages in writable now (allocates blocks of a sparse file)',
  ],
};

/** Every madvise advice this kernel's headers know, by lower-case name. */
export const ADVICE: Readonly<Record<string, AdviceInfo>> = Object.freeze(
  Object.fromEntries(
    Object.entries(adviceTable).flatMap(([name, [constantName, destructive, meaning]]) => {
      const value = native.constants[constantName];
      return value === undefined ? [] : [[name, Object.freeze({ value, destructive, meaning })]];
    }),
  ),
);

export type Advice =
  | 'normal'
  | 'random'
  | 'sequential'
  | 'willneed'
  | 'dontneed'
  | 'free'
  | 'remove'
  | 'dontfork'
  | 'dofork'
  | 'wipeonfork'
  | 'keeponfork'
  | 'mergeable'
  | 'unmergeable'
  | 'hugepage'
  | 'nohugepage'
  | 'dontdump'
  | 'dodump'
  | 'cold'
  | 'pageout'
  | 'populate_read'
  | 'populate_write';

/** fallocate modes. */
export const FALLOCATE = Object.freeze({
  /** Allocate blocks and extend the file size if the range passes its end. */
  allocate: 0,
  /** Allocate blocks but keep the file size. */
  'keep-size': constant('FALLOC_FL_KEEP_SIZE'),
  /** Deallocate the range (it reads as zeros); the size is kept. */
  'punch-hole': constant('FALLOC_FL_PUNCH_HOLE') | constant('FALLOC_FL_KEEP_SIZE'),
  /** Zero the range, allocating blocks. */
  'zero-range': constant('FALLOC_FL_ZERO_RANGE'),
});

export type FallocateMode = keyof typeof FALLOCATE;

/** posix_fadvise advice: what the kernel should do with a file's cached pages. */
export const FADVISE = Object.freeze({
  normal: constant('POSIX_FADV_NORMAL'),
  random: constant('POSIX_FADV_RANDOM'),
  sequential: constant('POSIX_FADV_SEQUENTIAL'),
  willneed: constant('POSIX_FADV_WILLNEED'),
  /**
   * Drop the range's clean cached pages (dirty ones stay until written back): later
   * reads come from the device. After a failed write-back that is the only way to
   * see what the device really holds.
   */
  dontneed: constant('POSIX_FADV_DONTNEED'),
});

export type FileAdvice = keyof typeof FADVISE;

/** flock operations. */
export const FLOCK = Object.freeze({
  exclusive: constant('LOCK_EX'),
  shared: constant('LOCK_SH'),
  unlock: constant('LOCK_UN'),
});

export type FileLockMode = keyof typeof FLOCK;
