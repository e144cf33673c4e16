// `mapsync wal stats <dir>`: segments, LSN range, records, checkpoint, without changing
// anything. Exits 3 if the log is damaged (its figures then cover the readable prefix).
import { Command } from '@commander-js/extra-typings';
import { inspectLog, readLog } from '@mapsync/wal';

import { EXIT, type Outcome } from '../../exit-codes.js';
import { formatBytes, printFields, printJson } from '../../output.js';
import { describeLsnRange, logState, type Verdict } from '../../wal/describe.js';
import { logDirectory, type LogDirectory } from '../../wal/log-dir.js';

export interface StatsReport {
  readonly log: string;
  readonly verdict: Verdict;
  readonly segments: LogDirectory['segments'];
  /** Bytes of all segment files on disk (they are preallocated). */
  readonly bytes: number;
  readonly firstLsn: number;
  readonly lastLsn: number;
  readonly records: { readonly data: number; readonly checkpoint: number };
  readonly checkpointLsn: number;
  /** A page store keeps its data file next to its log. */
  readonly dataFile: LogDirectory['dataFile'];
}

function walStats(dir: string): StatsReport {
  const found = logDirectory(dir);
  const state = logState(inspectLog(found.path));
  const records = { data: 0, checkpoint: 0 };
  for (const record of readLog(found.path)) records[record.type]++;
  return {
    log: found.path,
    verdict: state.verdict,
    segments: found.segments,
    bytes: found.segments.reduce((sum, segment) => sum + segment.bytes, 0),
    firstLsn: state.firstLsn,
    lastLsn: state.lastLsn,
    records,
    checkpointLsn: state.checkpointLsn,
    dataFile: found.dataFile,
  };
}

export function statsCommand(outcome: Outcome) {
  return new Command('stats')
    .description('segments, LSN range, records and checkpoint of a log')
    .argument('<dir>', 'the log directory')
    .option('--json', 'print JSON (shape in the README)')
    .action((dir, options) => {
      const report = walStats(dir);
      if (report.verdict === 'corrupt') outcome.exitCode = EXIT.damaged;
      if (options.json === true) {
        printJson(report);
        return;
      }
      printFields([
        ['log', report.log],
        ['verdict', report.verdict],
        [
          'segments',
          `${report.segments.length} (${formatBytes(report.bytes)} on disk): ${report.segments.map((s) => s.name).join(', ')}`,
        ],
        ['LSNs', describeLsnRange(report.firstLsn, report.lastLsn)],
        ['records', `${report.records.data} data, ${report.records.checkpoint} checkpoint`],
        ['checkpoint', report.checkpointLsn === 0 ? 'none' : `LSN ${report.checkpointLsn}`],
        [
          'page store',
          report.dataFile === null
            ? 'no'
            : `yes: ${report.dataFile.name}, ${formatBytes(report.dataFile.bytes)}`,
        ],
      ]);
    });
}
