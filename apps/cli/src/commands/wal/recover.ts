// `mapsync wal recover <dir>`: open the log, which runs recovery — a torn tail is
// truncated (it was never acknowledged), and for a page store (data.db beside the log)
// redo records are re-applied to the data file — then close it. Damage to
// acknowledged records is only dropped with --repair; without it the command reports
// what is damaged and exits 3. Do not run it while another process has the log open.
import { Command } from '@commander-js/extra-typings';
import { LogCorruptError, PageStore, WriteAheadLog, type RecoveryReport } from '@mapsync/wal';

import { EXIT, type Outcome } from '../../exit-codes.js';
import { colors, printFields, printJson } from '../../output.js';
import { describeLsnRange, logState, type LogStateReport } from '../../wal/describe.js';
import { logDirectory } from '../../wal/log-dir.js';

export interface RecoverReport {
  readonly log: string;
  /** 'page-store' when data.db is beside the log: its redo records were re-applied too. */
  readonly kind: 'log' | 'page-store';
  /** false: the log is damaged and --repair was not given; nothing was changed. */
  readonly recovered: boolean;
  readonly verdict: RecoveryReport['verdict'];
  readonly firstLsn: number;
  readonly lastLsn: number;
  readonly checkpointLsn: number;
  /** Segment files after recovery. */
  readonly segments: number;
  /** What recovery dropped: a torn tail, or (with --repair) everything from the damage on. */
  readonly dropped: NonNullable<RecoveryReport['dropped']> | null;
  /** Page store only: redo records re-applied to the data file. */
  readonly replayed: number | null;
  /** When the log is damaged and --repair was not given: what is wrong and what --repair would drop. */
  readonly damage: LogStateReport | null;
}

function recovered(
  dir: string,
  kind: RecoverReport['kind'],
  log: RecoveryReport,
  replayed: number | null,
): RecoverReport {
  return {
    log: dir,
    kind,
    recovered: true,
    verdict: log.verdict,
    firstLsn: log.firstLsn,
    lastLsn: log.lastLsn,
    checkpointLsn: log.checkpointLsn,
    segments: log.segments,
    dropped: log.dropped ?? null,
    replayed,
    damage: null,
  };
}

async function openAndClose(
  dir: string,
  kind: RecoverReport['kind'],
  repair: boolean,
): Promise<RecoverReport> {
  if (kind === 'page-store') {
    const store = PageStore.open(dir, { log: { repair } });
    await store.close();
    return recovered(dir, kind, store.recovery.log, store.recovery.replayed);
  }
  const log = WriteAheadLog.open(dir, { repair });
  await log.close();
  return recovered(dir, kind, log.recovery, null);
}

async function recoverLog(dir: string, repair: boolean): Promise<RecoverReport> {
  const found = logDirectory(dir);
  const kind = found.dataFile === null ? 'log' : 'page-store';
  try {
    return await openAndClose(found.path, kind, repair);
  } catch (error) {
    if (!(error instanceof LogCorruptError)) throw error;
    const damage = logState(error.scan);
    return {
      log: found.path,
      kind,
      recovered: false,
      verdict: damage.verdict,
      firstLsn: damage.firstLsn,
      lastLsn: damage.lastLsn,
      checkpointLsn: damage.checkpointLsn,
      segments: error.scan.segments.length,
      dropped: null,
      replayed: null,
      damage,
    };
  }
}

function printReport(report: RecoverReport): void {
  const rows: [string, string][] = [
    [
      'log',
      `${report.log} (${report.kind === 'page-store' ? 'page store: data.db and its log' : 'log'})`,
    ],
  ];
  if (!report.recovered && report.damage !== null) {
    rows.push(
      ['verdict', colors.red('DAMAGED: acknowledged records are unreadable; nothing was changed')],
      ['why', report.damage.explanation],
      ['next', 'run again with --repair to drop the damaged records and everything after them'],
    );
    printFields(rows);
    return;
  }
  rows.push(
    ['verdict', report.verdict],
    ['LSNs', describeLsnRange(report.firstLsn, report.lastLsn)],
    ['checkpoint', report.checkpointLsn === 0 ? 'none' : `LSN ${report.checkpointLsn}`],
    [
      'dropped',
      report.dropped === null
        ? 'nothing'
        : `from LSN ${report.dropped.fromLsn} (${report.dropped.problem} in ${report.dropped.segment} at offset ${report.dropped.offset})`,
    ],
  );
  if (report.replayed !== null)
    rows.push(['replayed', `${report.replayed} redo record(s) into data.db`]);
  printFields(rows);
}

export function recoverCommand(outcome: Outcome) {
  return new Command('recover')
    .description(
      'open a log (or page store) so that recovery runs, then close it; damage is dropped only with --repair',
    )
    .argument('<dir>', 'the log directory (not open in another process)')
    .option('--repair', 'drop damaged acknowledged records and everything after them')
    .option('--json', 'print JSON (shape in the README)')
    .action(async (dir, options) => {
      const report = await recoverLog(dir, options.repair === true);
      if (!report.recovered) outcome.exitCode = EXIT.damaged;
      if (options.json === true) printJson(report);
      else printReport(report);
    });
}
