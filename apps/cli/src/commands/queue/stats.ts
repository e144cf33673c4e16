// `mapsync queue stats <dir>`: segments, where the queue ends, how much of it is on
// disk, and its tailers (named ones persist in the queue; anonymous ones live as long
// as their process, and a slot whose process is gone shows who took it).
import { Command } from '@commander-js/extra-typings';
import { Queue } from '@mapsync/ipc';

import { formatBytes, printFields, printJson, printLine, printTable } from '../../output.js';
import { queueDirectory } from '../../queue/queue-dir.js';

export interface TailerReport {
  /** null: an anonymous tailer. */
  readonly name: string | null;
  /** Where it reads next (for a named tailer: its last commit, as another process sees it). */
  readonly position: number;
  /** The process that opened it last. */
  readonly pid: number;
  readonly alive: boolean;
}

export interface QueueStatsReport {
  readonly queue: string;
  readonly segmentSize: number;
  /** Indexes of the segment files present, oldest first. */
  readonly segments: readonly number[];
  /** The oldest segment kept: those before it were deleted by retention. */
  readonly firstSegment: number;
  /** Where the next record goes. */
  readonly tail: number;
  /** Every record before this position is on disk. */
  readonly durablePosition: number;
  readonly tailers: readonly TailerReport[];
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function queueStats(dir: string): QueueStatsReport {
  const { path } = queueDirectory(dir);
  const queue = Queue.open(path);
  try {
    const stats = queue.stats();
    return {
      queue: path,
      segmentSize: stats.segmentSize,
      segments: stats.segments,
      firstSegment: stats.firstSegment,
      tail: stats.tail,
      durablePosition: stats.durablePosition,
      tailers: stats.tailers.map((tailer) => ({
        name: tailer.name ?? null,
        position: tailer.position,
        pid: tailer.pid,
        alive: tailer.pid > 0 && processAlive(tailer.pid),
      })),
    };
  } finally {
    queue.close();
  }
}

function describeDurable({ durablePosition, tail }: QueueStatsReport): string {
  return durablePosition >= tail
    ? `up to position ${durablePosition}: everything appended is on disk`
    : `up to position ${durablePosition}: records from there to ${tail} may be in the page cache only`;
}

function printReport(report: QueueStatsReport): void {
  printFields([
    ['queue', report.queue],
    [
      'segments',
      `${report.segments.length} of ${formatBytes(report.segmentSize)}: ${report.segments.join(', ') || 'none yet'}`,
    ],
    ['first segment', String(report.firstSegment)],
    ['tail', `position ${report.tail} (where the next record goes)`],
    ['durable', describeDurable(report)],
    ['tailers', report.tailers.length === 0 ? 'none' : String(report.tailers.length)],
  ]);
  if (report.tailers.length === 0) return;
  printLine();
  printTable(
    ['tailer', 'position', 'pid', 'process'],
    report.tailers.map((t) => [
      t.name ?? '(anonymous)',
      String(t.position),
      String(t.pid),
      t.alive ? 'running' : 'not running',
    ]),
  );
}

export function statsCommand() {
  return new Command('stats')
    .description('segments, tail, durable position and tailers of a queue')
    .argument('<dir>', 'the queue directory')
    .option('--json', 'print JSON (shape in the README)')
    .action((dir, options) => {
      const report = queueStats(dir);
      if (options.json === true) printJson(report);
      else printReport(report);
    });
}
