// Binding overhead: packages/native/bench/overhead.mjs, run as it is. It runs the same
// loops in C (overhead.c, compiled by the script) and through @mapsync/native, the two
// alternating over rounds on fresh files in our scratch directory.
import type { Summary } from '@mapsync/bench-kit';

import type { BenchContext } from '../../context.js';
import { packageFile, runJsonScript } from '../../scripts.js';

export interface NativeRow {
  /** The operation in overhead.c this row is compared with. */
  readonly key: string;
  readonly label: string;
  readonly c: Summary;
  readonly js: Summary;
  readonly ratioP50: number;
  /** JS/C at p50 in each round: how much of the ratio is noise. */
  readonly ratioP50Rounds: readonly number[];
}

export interface NativeData {
  readonly script: string;
  readonly config: {
    readonly rounds: number;
    readonly durablePerRound: number;
    readonly batchesPerRound: number;
    readonly callsPerCheapSample: number;
  };
  readonly rows: readonly NativeRow[];
}

export async function measureNative(ctx: BenchContext): Promise<NativeData> {
  const script = packageFile('@mapsync/native', 'bench/overhead.mjs');
  const size = ctx.quick ? ['--rounds', '2', '--iterations', '200', '--batches', '200'] : [];
  ctx.step('packages/native/bench/overhead.mjs: C and JS alternating, 10 rounds');
  const result = (await runJsonScript(script, ['--dir', ctx.scratchDir, ...size])) as Omit<
    NativeData,
    'script'
  >;
  return { script: 'packages/native/bench/overhead.mjs', config: result.config, rows: result.rows };
}
