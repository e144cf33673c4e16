// A log's state as the `wal` commands report it: the CLI's own shape (documented in
// the README), so that a change inside @mapsync/wal does not change what scripts read.
import { describeBreak, type LogSummary } from '@mapsync/wal';

export type Verdict = LogSummary['verdict'];

export interface LogBreakReport {
  readonly segment: string;
  readonly offset: number;
  /** The LSN the unreadable record should have had. */
  readonly lsn: number;
  readonly problem: string;
}

export interface DropReport {
  readonly fromLsn: number;
  /** Readable records beyond the break that would go too. */
  readonly recordsAfterBreak: number;
  /** true: only `recover --repair` drops them (acknowledged data); false: the next open truncates a torn tail. */
  readonly needsRepair: boolean;
}

export interface LogStateReport {
  readonly log: string;
  readonly verdict: Verdict;
  readonly firstLsn: number;
  readonly lastLsn: number;
  readonly checkpointLsn: number;
  readonly break: LogBreakReport | null;
  readonly wouldDrop: DropReport | null;
  readonly explanation: string;
}

/** How the CLI drops damaged records: the explanation names the command, not the library's option. */
const HOW_TO_REPAIR = "Running 'mapsync wal recover --repair'";

export function logState(summary: LogSummary): LogStateReport {
  const damage = summary.break;
  return {
    log: summary.location,
    verdict: summary.verdict,
    firstLsn: summary.firstLsn,
    lastLsn: summary.lastLsn,
    checkpointLsn: summary.checkpointLsn,
    break:
      damage === undefined
        ? null
        : {
            segment: damage.segment,
            offset: damage.offset,
            lsn: damage.lsn,
            problem: damage.problem,
          },
    wouldDrop:
      damage === undefined
        ? null
        : {
            fromLsn: damage.lsn,
            recordsAfterBreak: summary.recordsAfterBreak,
            needsRepair: summary.verdict === 'corrupt',
          },
    explanation: describeBreak(summary, HOW_TO_REPAIR),
  };
}

export function describeLsnRange(firstLsn: number, lastLsn: number): string {
  return lastLsn < firstLsn ? 'none yet' : `${firstLsn}..${lastLsn}`;
}
