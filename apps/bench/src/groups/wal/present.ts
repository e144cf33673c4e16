// The wal group as a report section: serial durable commits against C and the peers,
// group commit throughput, and the issue's targets.
import type { Section, Target } from '../../report/model.js';
import { count, perSecond, ratio, us } from '../../report/format.js';
import type { WalData } from './measure.js';
import { SERIAL_WARMUP } from './serial.js';

export function presentWal(data: WalData): Section {
  const { serial, group } = data;
  const p50 = (id: string) => serial.systems.find((s) => s.id === id)?.summary.p50 ?? NaN;
  const c = p50('c');
  const sqlite = p50('better-sqlite3');
  const rate = (r: { records: number; seconds: number }) => r.records / r.seconds;
  const walAt = (committers: number) =>
    group.results.find((r) => r.id === 'wal' && r.committers === committers);
  const committerCounts = [...new Set(group.results.map((r) => r.committers))];
  const groupLabels = [...new Set(group.results.map((r) => r.label))];

  const serialTargets: Target[] = ['wal-commit', 'wal-commit-sync'].flatMap((id) => {
    const label = serial.systems.find((s) => s.id === id)?.label ?? id;
    const wal = p50(id);
    return [
      {
        goal: `serial durable commits >= 0.9x the C loop (p50): ${label}`,
        measured: `${ratio(c / wal)} (p50 ${us(wal)}, C ${us(c)})`,
        met: c / wal >= 0.9,
      },
      {
        goal: `serial durable commits >= 2x better-sqlite3 (p50): ${label}`,
        measured: `${ratio(sqlite / wal)} (better-sqlite3 p50 ${us(sqlite)})`,
        met: sqlite / wal >= 2,
      },
    ];
  });
  const largest = walAt(Math.max(...committerCounts));
  const groupTarget: Target[] =
    largest === undefined
      ? []
      : [
          {
            goal: `>= 1,000,000 durable records/s with ${count(largest.committers)} committers`,
            measured: `${perSecond(rate(largest))} (commit p50 ${us(largest.latency.p50)})`,
            met: rate(largest) >= 1e6,
          },
        ];

  return {
    group: 'wal',
    title: 'wal: durable commits against C and what a Node.js user would pick instead',
    method: [
      `Serial: one ${data.recordBytes}-byte record per commit, the next commit only after the previous one returned. ${serial.rounds} rounds of ${serial.perRound} timed commits (after ${SERIAL_WARMUP} untimed) per system, each round in a fresh directory, systems in rotating order; percentiles over all rounds. The C loop is \`packages/wal/bench/commits.c\`, compiled with ${data.compiler}. commits/s is 1 / mean latency.`,
      `Group commit: N committers at once for ${group.secondsPerRun} s per run${group.warmupSeconds === undefined ? '' : ` after ${group.warmupSeconds} s untimed`}, ${group.rounds} runs per system and N, in rotating order; durable records/s = records acknowledged / elapsed time${group.warmupSeconds === undefined ? '' : ', latency timed for one commit in 16'}. better-sqlite3 has a synchronous API, so its N is the rows per transaction.`,
    ],
    tables: [
      {
        title: `Serial durable commits of ${data.recordBytes}-byte records`,
        head: [
          'system',
          'durability',
          'p50',
          'p99',
          'p99.9',
          'commits/s',
          'vs C (p50)',
          'vs better-sqlite3 (p50)',
        ],
        align: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right'],
        rows: serial.systems.map((s) => [
          s.label,
          s.durability,
          us(s.summary.p50),
          us(s.summary.p99),
          us(s.summary.p999),
          perSecond(1e6 / s.summary.mean),
          ratio(c / s.summary.p50),
          ratio(sqlite / s.summary.p50),
        ]),
      },
      {
        title: 'Group commit: N committers (better-sqlite3: N rows per transaction)',
        head: [
          'N',
          'system',
          'durability',
          'durable records/s',
          'commit p50',
          'commit p99',
          '@mapsync/wal / this',
        ],
        align: ['right', 'left', 'left', 'right', 'right', 'right', 'right'],
        rows: group.results.map((r) => {
          const wal = walAt(r.committers);
          return [
            count(r.committers),
            r.label,
            r.durability,
            perSecond(rate(r)),
            us(r.latency.p50),
            us(r.latency.p99),
            wal === undefined ? '' : ratio(rate(wal) / rate(r)),
          ];
        }),
      },
    ],
    charts: [
      {
        id: 'wal-serial',
        title: 'Serial durable commits, 100-byte records: p50 latency (lower is better)',
        axis: 'µs per commit, one at a time, same disk, same run',
        series: ['p50'],
        categories: serial.systems.map((s) => ({ label: s.label, values: [s.summary.p50] })),
        format: 'us',
      },
      {
        id: 'wal-group',
        title: 'Group commit: durable records/s (higher is better)',
        axis: 'records acknowledged durable per second, log scale',
        logScale: true,
        series: groupLabels,
        categories: committerCounts.map((n) => ({
          label: `N = ${count(n)}`,
          values: groupLabels.map((label) => {
            const r = group.results.find((x) => x.committers === n && x.label === label);
            return r === undefined ? undefined : rate(r);
          }),
        })),
        format: 'perSecond',
      },
    ],
    targets: [...serialTargets, ...groupTarget],
  };
}
