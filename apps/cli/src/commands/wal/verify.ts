// `mapsync wal verify <dir>`: scan the log without changing anything (inspectLog) and
// say whether it is intact. A torn tail (writes in flight at a crash, never
// acknowledged) is normal and exits 0; damage to acknowledged records exits 3 and
// says what `recover --repair` would drop.
import { Command } from '@commander-js/extra-typings';
import { inspectLog } from '@mapsync/wal';

import { EXIT, type Outcome } from '../../exit-codes.js';
import { colors, printFields, printJson } from '../../output.js';
import { describeLsnRange, logState, type LogStateReport } from '../../wal/describe.js';
import { logDirectory } from '../../wal/log-dir.js';

export interface VerifyReport extends LogStateReport {
  readonly segments: readonly string[];
}

function verdictText(report: VerifyReport): string {
  if (report.verdict === 'clean') return colors.green('intact');
  if (report.verdict === 'torn-tail')
    return colors.yellow(
      'torn tail (unacknowledged writes from a crash; the next open truncates them)',
    );
  return colors.red('DAMAGED: acknowledged records are unreadable');
}

export function verifyCommand(outcome: Outcome) {
  return new Command('verify')
    .description('check a log without changing it; exit 3 if acknowledged records are damaged')
    .argument('<dir>', 'the log directory')
    .option('--json', 'print JSON (shape in the README)')
    .action((dir, options) => {
      const found = logDirectory(dir);
      const report: VerifyReport = {
        ...logState(inspectLog(found.path)),
        segments: found.segments.map((segment) => segment.name),
      };
      if (report.verdict === 'corrupt') outcome.exitCode = EXIT.damaged;
      if (options.json === true) {
        printJson(report);
        return;
      }
      const rows: [string, string][] = [
        ['log', report.log],
        ['verdict', verdictText(report)],
        ['segments', String(report.segments.length)],
        ['readable LSNs', describeLsnRange(report.firstLsn, report.lastLsn)],
        ['checkpoint', report.checkpointLsn === 0 ? 'none' : `LSN ${report.checkpointLsn}`],
      ];
      if (report.break !== null) {
        rows.push([
          'break',
          `LSN ${report.break.lsn} in ${report.break.segment} at offset ${report.break.offset} (${report.break.problem})`,
        ]);
      }
      if (report.wouldDrop?.needsRepair === true) {
        rows.push([
          'repair',
          `--repair would drop LSN ${report.wouldDrop.fromLsn} and everything after it (${report.wouldDrop.recordsAfterBreak} readable record(s) beyond the damage)`,
        ]);
      }
      rows.push(['why', report.explanation]);
      printFields(rows);
    });
}
