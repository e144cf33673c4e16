// Region: typed layouts against hand-written DataView code (packages/region/bench/
// layout.mjs, tinybench, run as it is), and flushing the dirty set against flushing the
// whole mapping (flush.ts).
import type { BenchContext } from '../../context.js';
import { packageFile, runJsonScript } from '../../scripts.js';
import { measureFlush, type FlushData } from './flush.js';

export interface LayoutRow {
  readonly operation: string;
  readonly layoutNs: number;
  readonly dataViewNs: number;
  readonly ratio: number;
}

export interface RegionData {
  readonly layout: {
    readonly script: string;
    readonly rounds: number;
    readonly rows: readonly LayoutRow[];
  };
  readonly flush: FlushData;
}

export async function measureRegion(ctx: BenchContext): Promise<RegionData> {
  const script = packageFile('@mapsync/region', 'bench/layout.mjs');
  ctx.step('packages/region/bench/layout.mjs: layout vs DataView (tinybench), 5 rounds');
  const size = ctx.quick ? ['--rounds', '1', '--time', '50'] : [];
  const layout = (await runJsonScript(script, size)) as { rounds: number; rows: LayoutRow[] };
  const flush = await measureFlush(ctx);
  return {
    layout: {
      script: 'packages/region/bench/layout.mjs',
      rounds: layout.rounds,
      rows: layout.rows,
    },
    flush,
  };
}
