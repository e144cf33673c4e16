// `mapsync wal dump <dir>`: the records of the log, in order, read through read-only
// mappings (safe while a writer appends). Only the readable prefix can be dumped: if
// the log is damaged, that is said at the end and the exit code is 3.
import { Command } from '@commander-js/extra-typings';
import { inspectLog, readLog, type LogRecord } from '@mapsync/wal';

import { lsnArgument, positiveCount } from '../../arguments.js';
import { EXIT, type Outcome } from '../../exit-codes.js';
import { colors, printJson, printLine } from '../../output.js';
import { printableText } from '../../payload.js';
import { logState, type LogStateReport } from '../../wal/describe.js';
import { logDirectory } from '../../wal/log-dir.js';

const PREVIEW_CHARACTERS = 60;
const PREVIEW_BYTES = 24;

export interface DumpedRecord {
  readonly lsn: number;
  readonly type: LogRecord['type'];
  readonly length: number;
  /** The payload, base64. */
  readonly payload: string;
  /** The payload as text, when it is printable UTF-8; otherwise null. */
  readonly text: string | null;
}

export interface DumpReport {
  readonly log: string;
  readonly state: LogStateReport;
  readonly records: readonly DumpedRecord[];
}

function dumped(record: LogRecord): DumpedRecord {
  return {
    lsn: record.lsn,
    type: record.type,
    length: record.payload.length,
    payload: Buffer.from(record.payload).toString('base64'),
    text: printableText(record.payload),
  };
}

function preview(record: DumpedRecord): string {
  if (record.text !== null) {
    const shown =
      record.text.length > PREVIEW_CHARACTERS
        ? `${record.text.slice(0, PREVIEW_CHARACTERS)}…`
        : record.text;
    return JSON.stringify(shown);
  }
  const bytes = Buffer.from(record.payload, 'base64');
  return `0x${bytes.subarray(0, PREVIEW_BYTES).toString('hex')}${bytes.length > PREVIEW_BYTES ? '…' : ''}`;
}

export function dumpCommand(outcome: Outcome) {
  return new Command('dump')
    .description('print the records of a log, in LSN order')
    .argument('<dir>', 'the log directory')
    .option('--from <lsn>', 'start at this LSN', lsnArgument)
    .option('--limit <n>', 'print at most this many records', positiveCount)
    .option('--json', 'print JSON (shape in the README)')
    .action((dir, options) => {
      const found = logDirectory(dir);
      const state = logState(inspectLog(found.path));
      if (state.verdict === 'corrupt') outcome.exitCode = EXIT.damaged;
      const limit = options.limit ?? Number.POSITIVE_INFINITY;
      // Text is printed as it is read, so a long log streams; JSON is one document.
      const records: DumpedRecord[] = [];
      let count = 0;
      for (const record of readLog(found.path, { fromLsn: options.from ?? 0 })) {
        if (count >= limit) break;
        count++;
        const entry = dumped(record);
        if (options.json === true) records.push(entry);
        else
          printLine(
            `${colors.bold(`LSN ${entry.lsn}`)}  ${entry.type}  ${entry.length} B  ${preview(entry)}`,
          );
      }
      if (options.json === true) {
        printJson({ log: found.path, state, records } satisfies DumpReport);
        return;
      }
      printLine(colors.dim(`${count} record(s) from ${found.path}`));
      if (state.verdict === 'corrupt')
        printLine(colors.red(`the log is damaged: ${state.explanation}`));
    });
}
