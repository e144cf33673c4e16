// WAL: serial durable commits against C and the peers (serial.ts), then group commit
// at 1 to 1,000 committers against lmdb-js and better-sqlite3 (group-commit.ts). Every
// comparison runs in rounds, in rotating order, on the same disk.
import { compileC, summarize, type Summary } from '@mapsync/bench-kit';

import { inTurn, type BenchContext } from '../../context.js';
import { packageFile } from '../../scripts.js';
import { groupSystems } from './group-commit.js';
import { RECORD_BYTES, cLoop, jsSystems } from './serial.js';

export const COMMITTERS = [1, 10, 100, 1000] as const;

interface Described {
  readonly id: string;
  readonly label: string;
  readonly durability: string;
}

export interface WalData {
  readonly recordBytes: number;
  readonly compiler: string;
  readonly serial: {
    readonly rounds: number;
    readonly perRound: number;
    readonly systems: readonly (Described & { readonly summary: Summary })[];
  };
  readonly group: {
    readonly rounds: number;
    readonly secondsPerRun: number;
    /** Untimed seconds before each timed run. */
    readonly warmupSeconds?: number;
    readonly results: readonly (Described & {
      readonly committers: number;
      readonly records: number;
      readonly seconds: number;
      readonly latency: Summary;
    })[];
  };
}

const describe = ({ id, label, durability }: Described): Described => ({ id, label, durability });

export async function measureWal(ctx: BenchContext): Promise<WalData> {
  const compiled = compileC(packageFile('@mapsync/wal', 'bench/commits.c'), 'commits');
  try {
    const serialRounds = ctx.quick ? 2 : 5;
    const perRound = ctx.quick ? 50 : 400;
    const systems = [cLoop(compiled.bin), ...jsSystems];
    const serialSamples = new Map<string, Float64Array[]>();
    for (let round = 0; round < serialRounds; round++) {
      for (const system of inTurn(systems, round)) {
        ctx.step(`serial commits, round ${round + 1}/${serialRounds}: ${system.label}`);
        const samples = await system.round(ctx.scratchDir, perRound);
        serialSamples.set(system.id, [...(serialSamples.get(system.id) ?? []), samples]);
      }
    }

    const groupRounds = ctx.quick ? 1 : 2;
    const secondsPerRun = ctx.quick ? 0.3 : 1.5;
    const warmupSeconds = ctx.quick ? 0.1 : 1;
    const runs = new Map<string, { records: number; seconds: number; latencies: Float64Array[] }>();
    for (const committers of COMMITTERS) {
      for (let round = 0; round < groupRounds; round++) {
        for (const system of inTurn(groupSystems, round)) {
          ctx.step(
            `group commit, ${committers} at once, round ${round + 1}/${groupRounds}: ${system.id}`,
          );
          const run = await system.run(ctx.scratchDir, committers, secondsPerRun, warmupSeconds);
          const key = `${system.id}/${committers}`;
          const sum = runs.get(key) ?? { records: 0, seconds: 0, latencies: [] };
          runs.set(key, {
            records: sum.records + run.records,
            seconds: sum.seconds + run.seconds,
            latencies: [...sum.latencies, run.latencies],
          });
        }
      }
    }

    return {
      recordBytes: RECORD_BYTES,
      compiler: compiled.version,
      serial: {
        rounds: serialRounds,
        perRound,
        systems: systems.map((s) => ({
          ...describe(s),
          summary: summarize(serialSamples.get(s.id) ?? []),
        })),
      },
      group: {
        rounds: groupRounds,
        secondsPerRun,
        warmupSeconds,
        results: COMMITTERS.flatMap((committers) =>
          groupSystems.map((s) => {
            const run = runs.get(`${s.id}/${committers}`) ?? {
              records: 0,
              seconds: 0,
              latencies: [],
            };
            return {
              ...describe(s),
              committers,
              records: run.records,
              seconds: run.seconds,
              latency: summarize(run.latencies),
            };
          }),
        ),
      },
    };
  } finally {
    compiled.dispose();
  }
}
