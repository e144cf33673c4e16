// The set of pages written through a region's API since they were last flushed: one
// bit per page, the span of pages it covers (so a flush scans only that), and the
// page marked last (so consecutive writes into one page skip the bitset entirely:
// in a hot loop over records most writes land where the previous one did).

/** `count` adjacent pages from page index `first`. */
export interface PageRun {
  readonly first: number;
  readonly count: number;
}

export class DirtyPages {
  // Plain fields assigned in the constructor, not ES private ones: mark() runs on every
  // write through a view, and private field access measured markedly slower on Node 20.
  declare private readonly pageSize: number;
  declare private words: Uint32Array;
  declare private pageCount: number;
  // Every set bit lies in [low, high]; the bounds may be loose after a partial take.
  declare private low: number;
  declare private high: number;
  // Byte range of the page marked last; empty after any take.
  declare private hotStart: number;
  declare private hotEnd: number;

  constructor(pageSize: number, byteLength: number) {
    this.pageSize = pageSize;
    this.pageCount = Math.ceil(byteLength / pageSize);
    this.words = new Uint32Array(Math.ceil(this.pageCount / 32));
    this.low = Infinity;
    this.high = -1;
    this.hotStart = 0;
    this.hotEnd = 0;
  }

  /** Marks the pages holding `length` bytes at `offset` (a 64-bit safe byte offset). */
  mark(offset: number, length: number): void {
    if (offset >= this.hotStart && offset + length <= this.hotEnd) return;
    if (length === 0) return;
    const first = Math.floor(offset / this.pageSize);
    const last = Math.floor((offset + length - 1) / this.pageSize);
    this.setPages(first, last);
    this.hotStart = last * this.pageSize;
    this.hotEnd = this.hotStart + this.pageSize;
  }

  /** Marks every page of `runs` again (a failed flush gives back what it took). */
  restore(runs: readonly PageRun[]): void {
    for (const run of runs) this.setPages(run.first, run.first + run.count - 1);
  }

  /** The dirty pages as maximal runs of adjacent pages, in order; the set is unchanged. */
  runs(): PageRun[] {
    return this.scan(0, this.pageCount, false);
  }

  /** Removes every dirty page from the set and returns them as runs. */
  take(): PageRun[] {
    const runs = this.scan(0, this.pageCount, true);
    this.low = Infinity;
    this.high = -1;
    return runs;
  }

  /** Removes the dirty pages in [firstPage, endPage) and returns them as runs. */
  takeRange(firstPage: number, endPage: number): PageRun[] {
    return this.scan(firstPage, endPage, true);
  }

  /** Follows the region to a new size; pages past a new, smaller end are dropped. */
  resize(byteLength: number): void {
    const pageCount = Math.ceil(byteLength / this.pageSize);
    const words = new Uint32Array(Math.ceil(pageCount / 32));
    words.set(this.words.subarray(0, words.length));
    const tail = pageCount % 32;
    if (tail !== 0 && pageCount < this.pageCount) {
      const lastWord = words.length - 1;
      words[lastWord] = (words[lastWord] ?? 0) & ((1 << tail) - 1);
    }
    this.words = words;
    this.pageCount = pageCount;
    this.high = Math.min(this.high, pageCount - 1);
    this.hotStart = this.hotEnd = 0;
  }

  private setPages(first: number, last: number): void {
    for (let page = first; page <= last; page++) {
      const word = Math.floor(page / 32);
      this.words[word] = (this.words[word] ?? 0) | (1 << (page % 32));
    }
    if (first < this.low) this.low = first;
    if (last > this.high) this.high = last;
  }

  // Word by word over the part of [from, to) that can hold set bits; set bits are
  // found with clz32 on the lowest set bit, so clean stretches cost one load per 32 pages.
  private scan(from: number, to: number, clear: boolean): PageRun[] {
    const runs: PageRun[] = [];
    const start = Math.max(from, this.low);
    const end = Math.min(to, this.high + 1);
    if (clear) this.hotStart = this.hotEnd = 0;
    if (start >= end) return runs;
    let runFirst = -1;
    let runCount = 0;
    for (let word = Math.floor(start / 32); word * 32 < end; word++) {
      const base = word * 32;
      let bits = this.words[word] ?? 0;
      if (bits === 0) continue;
      const keep = maskOutside(base, start, end);
      bits &= ~keep;
      if (clear) this.words[word] = (this.words[word] ?? 0) & keep;
      while (bits !== 0) {
        const lowest = bits & -bits;
        const page = base + 31 - Math.clz32(lowest);
        if (page === runFirst + runCount) {
          runCount++;
        } else {
          if (runCount > 0) runs.push({ first: runFirst, count: runCount });
          runFirst = page;
          runCount = 1;
        }
        bits ^= lowest;
      }
    }
    if (runCount > 0) runs.push({ first: runFirst, count: runCount });
    return runs;
  }
}

/** The pages of both lists as maximal runs, in order (overlaps and neighbours merged). */
export function unionRuns(a: readonly PageRun[], b: readonly PageRun[]): PageRun[] {
  const sorted = [...a, ...b].sort((x, y) => x.first - y.first);
  const merged: PageRun[] = [];
  for (const run of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && run.first <= last.first + last.count) {
      const end = Math.max(last.first + last.count, run.first + run.count);
      merged[merged.length - 1] = { first: last.first, count: end - last.first };
    } else {
      merged.push(run);
    }
  }
  return merged;
}

/** Bits of the 32-page word starting at page `base` that lie outside [start, end). */
function maskOutside(base: number, start: number, end: number): number {
  const below = start > base ? bitsBelow(start - base) : 0;
  const above = end < base + 32 ? ~bitsBelow(end - base) : 0;
  return below | above;
}

function bitsBelow(n: number): number {
  return n >= 32 ? -1 : (1 << n) - 1;
}
