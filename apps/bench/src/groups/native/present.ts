// The native group as report sections: per-call cost against C, and the targets.
import type { Section } from '../../report/model.js';
import { ratio, us } from '../../report/format.js';
import type { NativeData, NativeRow } from './measure.js';

// What each operation of overhead.c leaves durable: MS_ASYNC must never read as a flush.
const DURABILITY: Record<string, string> = {
  'msync-sync-1': 'msync(MS_SYNC): on the device',
  'msync-sync-16': 'msync(MS_SYNC): on the device',
  'msync-sync-clean': 'msync(MS_SYNC) with nothing dirty',
  'fdatasync-1': 'fdatasync: on the device',
  'msync-async-1': 'none: MS_ASYNC is a no-op on Linux',
  'mincore-256': 'none (a query)',
};

const spread = (row: NativeRow): string =>
  `${Math.min(...row.ratioP50Rounds).toFixed(2)}–${Math.max(...row.ratioP50Rounds).toFixed(2)}`;

export function presentNative(data: NativeData): Section {
  const { config } = data;
  const syncRows = data.rows.filter((r) => r.key.startsWith('msync-sync'));
  const asyncRow = data.rows.find((r) => r.key === 'msync-async-1');
  return {
    group: 'native',
    title: 'native: the binding against the same loops in C',
    method: [
      `\`${data.script}\`, run as it is: C (\`overhead.c\`, compiled by the script with -O2) and JS alternate over ${config.rounds} rounds, each on a fresh preallocated 2 MiB file; percentiles (nearest rank) over the samples of all rounds.`,
      `Durable calls are timed one by one (${config.durablePerRound * config.rounds} per side), the page(s) dirtied outside the timed region. Cheap calls are timed in batches of ${config.callsPerCheapSample}, a sample being the batch time / ${config.callsPerCheapSample}, so their p99 is of ${config.callsPerCheapSample}-call averages.`,
    ],
    tables: [
      {
        title: 'Per-call cost, JS binding vs C',
        head: [
          'operation',
          'durability',
          'C p50',
          'JS p50',
          'JS/C p50',
          'JS/C p50 per round',
          'C p99',
          'JS p99',
        ],
        align: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right'],
        rows: data.rows.map((r) => [
          r.label,
          DURABILITY[r.key] ?? 'unknown',
          us(r.c.p50),
          us(r.js.p50),
          ratio(r.ratioP50),
          spread(r),
          us(r.c.p99),
          us(r.js.p99),
        ]),
      },
    ],
    charts: [
      {
        id: 'native-overhead',
        title: 'Binding overhead: JS p50 / C p50 (lower is better)',
        axis: 'ratio of the p50 per-call times, same loop; 1 = as fast as C',
        series: ['JS / C'],
        categories: data.rows.map((r) => ({ label: r.label, values: [r.ratioP50] })),
        reference: { value: 1, label: 'C' },
        format: 'ratio',
      },
    ],
    targets: [
      ...syncRows.map((r) => ({
        goal: `MS_SYNC within 5% of C at p50: ${r.label}`,
        // Three decimals: 1.05x could be either side of the line.
        measured: `${r.ratioP50.toFixed(3)}x (rounds ${spread(r)})`,
        met: r.ratioP50 <= 1.05,
      })),
      ...(asyncRow === undefined
        ? []
        : [
            {
              goal: 'a cheap call (MS_ASYNC) under 0.5 µs from JS',
              measured: `${us(asyncRow.js.p50)} at p50 (C: ${us(asyncRow.c.p50)})`,
              met: asyncRow.js.p50 < 0.5,
            },
          ]),
    ],
  };
}
