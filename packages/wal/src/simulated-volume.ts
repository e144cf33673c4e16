// A LogVolume in memory that models what a power loss leaves of mapped files, for
// deterministic crash tests (the real-process SIGKILL tests come on top of these).
//
// Each file has the bytes the writer sees (the page cache) and the bytes on "disk".
// flush() copies the pages of a range that differ to disk. At crash():
//   - any subset of the pages changed since their last flush persists, in any order;
//   - a persisted page may be torn at 512-byte sectors (each sector old or new);
//   - optionally a page lands at the wrong offset (a misdirected write).
// Misdirected writes can also be turned on for flushes (misdirectWrites): the device
// puts a flushed page at another page of the file and reports success.
// Injected flush failures behave like Linux after a write-back error ("fsyncgate"):
// the flush rejects, the kernel considers the pages clean, and a later flush of the
// same unchanged pages "succeeds" without writing them.
import { MapsyncError } from '@mapsync/native';

import type { Random } from './random.js';
import { spanning, type ByteSpan, type LogVolume, type SegmentFile } from './volume.js';

export const SIM_PAGE_SIZE = 4096;
const SECTOR = 512;

interface SimInode {
  cache: Uint8Array;
  disk: Uint8Array;
  /** Pages a failed write-back left "clean" in the kernel's eyes, with the content it saw. */
  believedClean: Map<number, Uint8Array>;
}

export interface CrashOptions {
  /** Probability that each changed page persists (default 0.5). */
  persist?: number;
  /** Probability that a persisted page is torn at sector boundaries (default 0.3). */
  tear?: number;
  /** Probability that a persisted page is written at a wrong page offset (default 0). */
  misdirect?: number;
}

export class SimulatedVolume implements LogVolume {
  readonly location: string;
  readonly #files = new Map<string, SimInode>();
  #flushes = 0;
  #failAtFlush: number | undefined;
  #misdirect: { random: Random; probability: number } | undefined;

  constructor(location = 'simulated') {
    this.location = location;
  }

  /** Flush calls made so far (each range flush counts once). */
  get flushes(): number {
    return this.#flushes;
  }

  /** Makes flush number `n` (counting from now, 1 = the next one) and every later one fail with EIO. */
  failFlushes(afterCount = 1): void {
    this.#failAtFlush = this.#flushes + afterCount;
  }

  /**
   * From now on each page a flush writes lands, with `probability`, at a random page of
   * its file instead, and the flush succeeds: the kernel considers the page clean.
   */
  misdirectWrites(random: Random, probability: number): void {
    this.#misdirect = { random, probability };
  }

  /** @internal Where a flush writes `page` of a file of `pages` pages. */
  writeTarget(page: number, pages: number): number {
    const m = this.#misdirect;
    return m !== undefined && m.random.chance(m.probability) ? m.random.below(pages) : page;
  }

  list(): string[] {
    return [...this.#files.keys()];
  }

  create(name: string, size: number, initial: Uint8Array): SegmentFile {
    const disk = new Uint8Array(size);
    disk.set(initial);
    this.#files.set(name, { cache: disk.slice(), disk, believedClean: new Map() });
    return this.open(name, true);
  }

  recycle(from: string, name: string, initial: Uint8Array): SegmentFile {
    const inode = this.#files.get(from);
    if (inode === undefined) throw new MapsyncError('ENOENT', `no such simulated file ${from}`, { errno: 2 });
    this.#files.delete(from);
    return this.create(name, inode.disk.length, initial);
  }

  open(name: string, writable: boolean): SegmentFile {
    const inode = this.#files.get(name);
    if (inode === undefined) {
      throw new MapsyncError('ENOENT', `no such simulated file ${name}`, { errno: 2, syscall: 'open' });
    }
    return new SimulatedFile(this, inode, writable);
  }

  rename(from: string, to: string): void {
    const inode = this.#files.get(from);
    if (inode === undefined) throw new MapsyncError('ENOENT', `no such simulated file ${from}`, { errno: 2 });
    this.#files.delete(from);
    this.#files.set(to, inode);
  }

  remove(name: string): void {
    this.#files.delete(name);
  }

  /** @internal Counts a flush and says whether it is one that fails. */
  nextFlushFails(): boolean {
    this.#flushes++;
    return this.#failAtFlush !== undefined && this.#flushes >= this.#failAtFlush;
  }

  /**
   * The volume as a reboot would find it: for every file, the durable bytes plus a
   * random subset of what was never flushed. The returned volume is a fresh one;
   * this one should be dropped with everything mapped from it.
   */
  crash(random: Random, options: CrashOptions = {}): SimulatedVolume {
    const { persist = 0.5, tear = 0.3, misdirect = 0 } = options;
    const after = new SimulatedVolume(this.location);
    for (const [name, inode] of this.#files) {
      const disk = inode.disk.slice();
      const pages = Math.ceil(inode.cache.length / SIM_PAGE_SIZE);
      for (const page of shuffled(random, pages)) {
        if (!pageChanged(inode, page) || !random.chance(persist)) continue;
        const target = random.chance(misdirect) ? random.below(pages) : page;
        const from = page * SIM_PAGE_SIZE;
        const to = target * SIM_PAGE_SIZE;
        const length = Math.min(SIM_PAGE_SIZE, inode.cache.length - from, disk.length - to);
        const torn = random.chance(tear);
        for (let sector = 0; sector < length; sector += SECTOR) {
          if (torn && random.chance(0.5)) continue;
          const end = Math.min(sector + SECTOR, length);
          disk.set(inode.cache.subarray(from + sector, from + end), to + sector);
        }
      }
      after.#files.set(name, { cache: disk.slice(), disk, believedClean: new Map() });
    }
    return after;
  }

  /** The durable bytes of a file (what a crash right now would surely keep). */
  durableBytes(name: string): Uint8Array | undefined {
    return this.#files.get(name)?.disk.slice();
  }
}

/** A flushed page lands at `target`; both pages look clean to the kernel afterwards. */
function misdirect(inode: SimInode, page: number, target: number): void {
  const range = (p: number): [number, number] => [p * SIM_PAGE_SIZE, Math.min((p + 1) * SIM_PAGE_SIZE, inode.cache.length)];
  const [from, fromEnd] = range(page);
  const [to, toEnd] = range(target);
  // The kernel still sees the target as it was: clean if it was, dirty (written later) if not.
  if (!pageChanged(inode, target)) inode.believedClean.set(target, inode.cache.slice(to, toEnd));
  inode.disk.set(inode.cache.subarray(from, from + Math.min(fromEnd - from, toEnd - to)), to);
  inode.believedClean.set(page, inode.cache.slice(from, fromEnd));
}

function pageChanged(inode: SimInode, page: number): boolean {
  const start = page * SIM_PAGE_SIZE;
  const end = Math.min(start + SIM_PAGE_SIZE, inode.cache.length);
  const reference = inode.believedClean.get(page) ?? inode.disk.subarray(start, end);
  const current = inode.cache.subarray(start, end);
  for (let i = 0; i < current.length; i++) if (current[i] !== reference[i]) return true;
  return false;
}

function shuffled(random: Random, n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = random.below(i + 1);
    const swap = order[i] ?? i;
    order[i] = order[j] ?? j;
    order[j] = swap;
  }
  return order;
}

class SimulatedFile implements SegmentFile {
  readonly bytes: Uint8Array;
  readonly #volume: SimulatedVolume;
  readonly #inode: SimInode;

  constructor(volume: SimulatedVolume, inode: SimInode, writable: boolean) {
    this.#volume = volume;
    this.#inode = inode;
    // A read-only opener gets a copy it cannot write back through.
    this.bytes = writable ? inode.cache : inode.cache.slice();
  }

  flush(offset: number, length: number, also?: ByteSpan): Promise<void> {
    try {
      this.flushSync(offset, length, also);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  flushSync(start: number, size: number, also?: ByteSpan): void {
    // One flush of every page between: only changed pages count, as for msync.
    const { offset, length } = spanning(start, size, also);
    const inode = this.#inode;
    const first = Math.floor(offset / SIM_PAGE_SIZE);
    const last = Math.ceil(Math.min(offset + length, inode.cache.length) / SIM_PAGE_SIZE);
    const fails = this.#volume.nextFlushFails();
    const pages = Math.ceil(inode.cache.length / SIM_PAGE_SIZE);
    for (let page = first; page < last; page++) {
      if (!pageChanged(inode, page)) continue;
      const start = page * SIM_PAGE_SIZE;
      const end = Math.min(start + SIM_PAGE_SIZE, inode.cache.length);
      const target = fails ? page : this.#volume.writeTarget(page, pages);
      if (fails) {
        inode.believedClean.set(page, inode.cache.slice(start, end));
      } else if (target === page) {
        inode.disk.set(inode.cache.subarray(start, end), start);
        inode.believedClean.delete(page);
      } else {
        misdirect(inode, page, target);
      }
    }
    if (fails) {
      throw new MapsyncError('EIO', 'EIO: I/O error while writing back (simulated), msync', {
        errno: 5,
        syscall: 'msync',
        range: { offset, length },
      });
    }
  }

  zeroFromSync(offset: number): void {
    this.bytes.fill(0, offset);
    this.flushSync(offset, this.bytes.length - offset);
  }

  syncFileSync(): void {
    this.flushSync(0, this.bytes.length);
  }

  close(): void {
    // Nothing is mapped; dropping the reference is enough.
  }
}
