// The dirty page set against a plain Set of page numbers: any sequence of marks,
// takes, partial takes, restores and resizes leaves both agreeing, and runs are always
// the maximal runs of adjacent pages, in order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { DirtyPages, unionRuns, type PageRun } from '../src/dirty-pages.js';

const PAGE = 4096;

function pagesOf(runs: readonly PageRun[]): number[] {
  return runs.flatMap((run) => Array.from({ length: run.count }, (_, i) => run.first + i));
}

function maximalRuns(pages: Iterable<number>): PageRun[] {
  const sorted = [...new Set(pages)].sort((a, b) => a - b);
  const runs: PageRun[] = [];
  for (const page of sorted) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last.first + last.count === page)
      runs[runs.length - 1] = { ...last, count: last.count + 1 };
    else runs.push({ first: page, count: 1 });
  }
  return runs;
}

type Op =
  | { op: 'mark'; offset: number; length: number }
  | { op: 'take' }
  | { op: 'takeRange'; first: number; end: number }
  | { op: 'restore'; pages: number[] }
  | { op: 'resize'; pages: number };

const maxPages = 200;
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('mark' as const),
      offset: fc.nat(maxPages * PAGE - 1),
      length: fc.nat(3 * PAGE),
    }),
  },
  fc.record({ op: fc.constant('take' as const) }),
  fc.record({
    op: fc.constant('takeRange' as const),
    first: fc.nat(maxPages),
    end: fc.nat(maxPages),
  }),
  fc.record({
    op: fc.constant('restore' as const),
    pages: fc.array(fc.nat(maxPages - 1), { maxLength: 5 }),
  }),
  fc.record({ op: fc.constant('resize' as const), pages: fc.integer({ min: 1, max: maxPages }) }),
);

describe('DirtyPages', () => {
  it('agrees with a Set model under any sequence of operations', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        let pageCount = maxPages;
        const dirty = new DirtyPages(PAGE, pageCount * PAGE);
        const model = new Set<number>();
        for (const step of ops) {
          switch (step.op) {
            case 'mark': {
              const end = Math.min(step.offset + step.length, pageCount * PAGE);
              if (step.offset >= end) break;
              dirty.mark(step.offset, end - step.offset);
              for (let p = Math.floor(step.offset / PAGE); p <= Math.floor((end - 1) / PAGE); p++)
                model.add(p);
              break;
            }
            case 'take':
              expect(dirty.take()).toEqual(maximalRuns(model));
              model.clear();
              break;
            case 'takeRange': {
              const inside = [...model].filter((p) => p >= step.first && p < step.end);
              expect(dirty.takeRange(step.first, step.end)).toEqual(maximalRuns(inside));
              for (const p of inside) model.delete(p);
              break;
            }
            case 'restore': {
              const pages = step.pages.filter((p) => p < pageCount);
              dirty.restore(maximalRuns(pages));
              for (const p of pages) model.add(p);
              break;
            }
            case 'resize':
              pageCount = step.pages;
              dirty.resize(pageCount * PAGE);
              for (const p of model) if (p >= pageCount) model.delete(p);
              break;
          }
          expect(dirty.runs()).toEqual(maximalRuns(model));
        }
      }),
    );
  });

  it('marks again a page written right after a take (the last-page shortcut is reset)', () => {
    const dirty = new DirtyPages(PAGE, 10 * PAGE);
    dirty.mark(100, 4);
    expect(pagesOf(dirty.take())).toEqual([0]);
    dirty.mark(104, 4);
    expect(pagesOf(dirty.runs())).toEqual([0]);
  });

  it('unionRuns merges overlapping and adjacent runs', () => {
    expect(
      unionRuns(
        [
          { first: 1, count: 2 },
          { first: 9, count: 1 },
        ],
        [
          { first: 3, count: 1 },
          { first: 0, count: 2 },
        ],
      ),
    ).toEqual([
      { first: 0, count: 4 },
      { first: 9, count: 1 },
    ]);
  });
});
