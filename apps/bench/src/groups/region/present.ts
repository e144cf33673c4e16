// The region group as a report section: layout accessor cost, and what flushing only
// the dirty pages saves (or costs) against flushing the whole mapping.
import type { Section } from '../../report/model.js';
import { ns, ratio, us } from '../../report/format.js';
import {
  DIRTY_PAGE_COUNTS,
  FLUSH_METHODS,
  PLACEMENTS,
  type FlushCase,
  type FlushMethod,
} from './flush.js';
import type { RegionData } from './measure.js';

const METHOD_LABEL: Record<FlushMethod, string> = {
  'dirty-set': 'dirty set: flushSync() (msync MS_SYNC per run of pages)',
  'dirty-set-fdatasync': "dirty set: flushSync({ strategy: 'fdatasync' })",
  'whole-mapping': 'whole mapping: flushSync({ offset: 0 }) (one msync MS_SYNC)',
};

const METHOD_DURABILITY: Record<FlushMethod, string> = {
  'dirty-set': 'msync(MS_SYNC) per run: on the device',
  'dirty-set-fdatasync': 'fdatasync of the file: on the device',
  'whole-mapping': 'msync(MS_SYNC) of 64 MiB: on the device',
};

// Layout rows are memory accesses: nothing in them is ever flushed.
const layoutDurability = (operation: string): string =>
  operation.startsWith('write') ? 'page cache only' : 'n/a (read)';

export function presentRegion(data: RegionData): Section {
  const { layout, flush } = data;
  const find = (c: Pick<FlushCase, 'dirtyPages' | 'placement'>, method: FlushMethod) =>
    flush.cases.find(
      (x) => x.dirtyPages === c.dirtyPages && x.placement === c.placement && x.method === method,
    );
  const caseLabel = (c: Pick<FlushCase, 'dirtyPages' | 'placement'>) =>
    `${c.dirtyPages} ${c.dirtyPages === 1 ? 'page' : `${c.placement} pages`}`;
  // One dirty page is the same case scattered or contiguous: show it once.
  const shown = flush.cases.filter((c) => c.dirtyPages > 1 || c.placement === 'scattered');
  return {
    group: 'region',
    title: 'region: typed layouts, and flushing only what you touched',
    method: [
      `Layouts: \`${layout.script}\`, run as it is (tinybench): 4096 records of a mapped file walked through layout views and through hand-written DataView code, the two alternating over ${layout.rounds} rounds; the median of the rounds, ns per record.`,
      `Flushes: a ${flush.mappingBytes / 2 ** 20} MiB region per method, written and flushed once, then ${DIRTY_PAGE_COUNTS.join(', ')} pages dirtied (untimed) before each timed \`flushSync\` — scattered evenly over the mapping, or one contiguous run. ${flush.rounds} rounds of ${flush.samplesPerRound} flushes per case, methods in rotating order. The whole-mapping side dirties pages through the raw bytes (no tracking), as a program without a dirty set would.`,
    ],
    tables: [
      {
        title: 'Layout accessors vs DataView (median ns per record)',
        head: ['operation', 'durability', 'layout', 'DataView', 'layout / DataView'],
        align: ['left', 'left', 'right', 'right', 'right'],
        rows: layout.rows.map((r) => [
          r.operation,
          layoutDurability(r.operation),
          ns(r.layoutNs),
          ns(r.dataViewNs),
          ratio(r.ratio),
        ]),
      },
      {
        title: `Flushing a ${flush.mappingBytes / 2 ** 20} MiB mapping: the dirty set vs the whole mapping`,
        head: [
          'dirty pages',
          'method',
          'system calls',
          'durability',
          'p50',
          'p99',
          'p50 / whole mapping',
        ],
        align: ['left', 'left', 'right', 'left', 'right', 'right', 'right'],
        rows: shown.map((c) => [
          caseLabel(c),
          METHOD_LABEL[c.method],
          String(c.calls),
          METHOD_DURABILITY[c.method],
          us(c.summary.p50),
          us(c.summary.p99),
          ratio(c.summary.p50 / (find(c, 'whole-mapping')?.summary.p50 ?? NaN)),
        ]),
      },
    ],
    charts: [
      {
        id: 'region-flush',
        title: `Flush latency, ${flush.mappingBytes / 2 ** 20} MiB mapping (p50, lower is better)`,
        axis: 'µs per flush, log scale; every method leaves the same pages on the device',
        logScale: true,
        series: FLUSH_METHODS.map((m) => METHOD_LABEL[m]),
        categories: DIRTY_PAGE_COUNTS.flatMap((dirtyPages) =>
          PLACEMENTS.filter((p) => dirtyPages > 1 || p === 'scattered').map((placement) => ({
            label: caseLabel({ dirtyPages, placement }),
            values: FLUSH_METHODS.map((m) => find({ dirtyPages, placement }, m)?.summary.p50),
          })),
        ),
        format: 'us',
      },
      {
        id: 'region-layout',
        title: 'Layout accessors: layout / DataView time per record (lower is better)',
        axis: 'ratio of the median ns per record; 1 = as fast as hand-written DataView',
        series: ['layout / DataView'],
        categories: layout.rows.map((r) => ({ label: r.operation, values: [r.ratio] })),
        reference: { value: 1, label: 'DataView' },
        format: 'ratio',
      },
    ],
    targets: [],
  };
}
