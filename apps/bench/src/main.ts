// `npm run bench [-- <group>...] [--quick] [--dir DIR]`: runs the groups (all by
// default), prints the tables and targets, and writes results/<date>.json, .md and the
// charts. The figures measured go to stdout; progress, one line per step, to stderr.
import { loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { benchDir, cCompilerVersion, describeMachine } from '@mapsync/bench-kit';

import { progressPrinter, settleDisk, type BenchContext } from './context.js';
import { groupSummaries, measures } from './groups/index.js';
import { presentRun } from './report/present.js';
import { renderTerminal } from './report/terminal.js';
import { writeResults } from './report/write.js';
import { GROUPS, isGroupName, type BenchRun, type GroupData, type GroupName } from './run.js';

const appDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

const usage = `usage: npm run bench [-- <group>...] [--quick] [--dir DIR] [--out DIR]

groups (default: all, in this order):
${GROUPS.map((g) => `  ${g.padEnd(8)} ${groupSummaries[g]}`).join('\n')}

  --quick    fewer samples, shorter runs: to try the suite, not for figures to quote
             (written to results/quick unless --out says otherwise)
  --dir DIR  where the measured files go (default: apps/bench/.tmp, on the repository's
             disk; /tmp may be tmpfs, where durable calls reach no disk)
  --out DIR  where results go (default: apps/bench/results)`;

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    quick: { type: 'boolean', default: false },
    dir: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

function measureGroup<G extends GroupName>(group: G, ctx: BenchContext): Promise<GroupData[G]> {
  return measures[group](ctx);
}

async function main(): Promise<number> {
  if (opts.help) {
    console.log(usage);
    return 0;
  }
  const unknown = positionals.filter((g) => !isGroupName(g));
  if (unknown.length > 0) {
    console.error(`unknown group: ${unknown.join(', ')}\n\n${usage}`);
    return 2;
  }
  const chosen = GROUPS.filter((g) => positionals.length === 0 || positionals.includes(g));
  const scratch = benchDir(appDir, opts.dir);
  const started = performance.now();
  const startedAt = new Date().toISOString();
  try {
    const machine = describeMachine(scratch.dir, cCompilerVersion());
    if (machine.filesystem.startsWith('tmpfs')) {
      console.error(`warning: ${scratch.dir} is on tmpfs: durable calls reach no disk; pass --dir`);
    }
    const groups: Partial<GroupData> = {};
    for (const group of chosen) {
      const step = progressPrinter(group, started);
      step(`starting: ${groupSummaries[group]}`);
      settleDisk();
      const data = await measureGroup(group, { scratchDir: scratch.dir, quick: opts.quick, step });
      Object.assign(groups, { [group]: data });
    }
    const args = process.argv.slice(2);
    const run: BenchRun = {
      startedAt,
      durationSeconds: (performance.now() - started) / 1000,
      command: `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`,
      scratchDir: scratch.dir,
      machine,
      loadavgAtEnd: loadavg()
        .map((l) => l.toFixed(2))
        .join(' '),
      groups,
    };
    process.stdout.write(renderTerminal(presentRun(run)));
    // A quick run's figures are not for quoting: they go to results/quick (not kept in
    // git), so they never overwrite the report of a real run of the same day.
    const out = opts.out ?? path.join(appDir, 'results', ...(opts.quick ? ['quick'] : []));
    const report = writeResults(run, out);
    console.log(`\nreport: ${path.relative(process.cwd(), report)}`);
    return 0;
  } finally {
    scratch.dispose();
  }
}

process.exitCode = await main();
