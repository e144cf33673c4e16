// `mapsync bench sync`: the guide's comparison of sync methods, on the user's own disk,
// with a progress bar while it runs (on a terminal, on stderr) and a table at the end.
import { resolve } from 'node:path';

import { Command } from '@commander-js/extra-typings';
import { SingleBar } from 'cli-progress';

import { positiveCount } from '../arguments.js';
import { fileSystemOf } from '../bench/filesystem.js';
import { SYNC_CASES, runSyncBench, type SyncBenchResult } from '../bench/sync-bench.js';
import { existingDirectory } from '../files.js';
import { colors, formatBytes, printJson, printLine, printTable } from '../output.js';

/** File systems where "durable" means nothing: the numbers would mislead. */
const MEMORY_FILE_SYSTEMS = new Set(['tmpfs', 'ramfs']);

export interface SyncBenchReport extends SyncBenchResult {
  readonly dir: string;
  readonly fileSystem: string;
}

async function runWithProgress(
  dir: string,
  rounds: number,
  showProgress: boolean,
): Promise<SyncBenchResult> {
  // On stderr, so stdout stays the report; cli-progress draws nothing when stderr is
  // not a terminal.
  const bar = new SingleBar({
    format: 'bench sync |{bar}| {value}/{total} flushes  {label}',
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
  });
  if (showProgress) bar.start(rounds * SYNC_CASES.length, 0, { label: '' });
  try {
    return await runSyncBench(dir, rounds, (done, label) => {
      if (showProgress) bar.update(done, { label });
    });
  } finally {
    if (showProgress) bar.stop();
  }
}

function printReport(report: SyncBenchReport): void {
  printLine(
    `${colors.bold('bench sync')}: ${report.rounds} rounds, one dirty page of a ${formatBytes(report.mappingSize)} mapping`,
  );
  printLine(`in ${report.dir} (${report.fileSystem})`);
  if (MEMORY_FILE_SYSTEMS.has(report.fileSystem)) {
    printLine(
      colors.yellow(
        `${report.fileSystem} keeps files in memory: nothing here reaches a disk. Use --dir on a real disk.`,
      ),
    );
  }
  const baseline = report.cases[0]?.p50Us ?? Number.NaN;
  printTable(
    ['method', 'system calls', 'synced', 'p50', 'p99', 'mean', 'p50 vs MS_SYNC'],
    report.cases.map((c) => [
      c.label,
      c.method,
      formatBytes(c.bytesPerFlush),
      `${c.p50Us.toFixed(0)} µs`,
      `${c.p99Us.toFixed(0)} µs`,
      `${c.meanUs.toFixed(0)} µs`,
      `${(c.p50Us / baseline).toFixed(2)}x`,
    ]),
  );
  printLine(
    colors.dim(
      'fsync and fdatasync cover the whole file whatever the range. Compare ratios from one run: absolute times drift.',
    ),
  );
}

function syncCommand() {
  return new Command('sync')
    .description(
      'compare MS_SYNC, MS_ASYNC+fsync, MS_ASYNC+fdatasync, and a dirty page vs the whole mapping, on this disk',
    )
    .option(
      '--dir <dir>',
      'where to put the scratch file (removed afterwards): the disk to measure',
      '.',
    )
    .option('--rounds <n>', 'timed flushes per method', positiveCount, 500)
    .option('--json', 'print JSON (shape in the README)')
    .action(async (options) => {
      const dir = resolve(options.dir);
      existingDirectory(dir);
      const result = await runWithProgress(dir, options.rounds, options.json !== true);
      const report = { dir, fileSystem: fileSystemOf(dir), ...result };
      if (options.json === true) printJson(report);
      else printReport(report);
    });
}

export function benchCommand() {
  return new Command('bench').description('measure on this machine').addCommand(syncCommand());
}
