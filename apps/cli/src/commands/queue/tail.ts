// `mapsync queue tail <dir>`: print the records of a queue, in order. Without --follow
// it prints what is there and exits; with --follow it sleeps in tailer.wait() (the
// tailer's doorbell) until an appender wakes it (no polling), until Ctrl-C or SIGTERM.
// A named tailer commits its position after every batch written out, so the next run
// with that name goes on from there.
import { Command } from '@commander-js/extra-typings';
import { Queue, type Tailer } from '@mapsync/ipc';

import { positiveCount, tailStart } from '../../arguments.js';
import { CliError, errorCode } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { writeOut } from '../../output.js';
import { queueDirectory } from '../../queue/queue-dir.js';
import { recordLine, tailedRecord } from '../../queue/records.js';
import { onStopRequest } from '../../queue/stop.js';

interface TailOptions {
  readonly follow: boolean;
  readonly limit: number;
  readonly json: boolean;
}

/** Records printed (and committed) at a time: a big queue's position moves on as it goes. */
const BATCH = 1024;

/** Prints records until `limit`, or (without follow) until there are none left. */
async function printRecords(tailer: Tailer, options: TailOptions): Promise<void> {
  let printed = 0;
  for (;;) {
    const wanted = Math.min(BATCH, options.limit - printed);
    const lines: string[] = [];
    const read = tailer.readBatch(wanted, (bytes, offset, length, position) => {
      const record = tailedRecord(
        bytes.subarray(offset, offset + length),
        position,
        tailer.position,
      );
      lines.push(recordLine(record, options.json));
    });
    printed += read;
    if (read > 0) {
      // Committed only once written: a reader that went away (`| head`) must not leave
      // records it never got marked as read (at-least-once).
      if (!(await writeOut(`${lines.join('\n')}\n`))) return;
      tailer.commit();
    }
    if (printed >= options.limit) return;
    if (read === wanted) continue;
    if (!options.follow || !(await tailer.wait())) return;
  }
}

/**
 * A position past the end would make a follower wait for good, since no record can
 * start there. (@mapsync/ipc refuses it too, in terms of options.from and its tail hint;
 * this says it in the command's words, with the tail as `stats` gives it.)
 */
function checkInsideQueue(queue: Queue, from: 'beginning' | 'end' | number): void {
  if (typeof from !== 'number') return;
  const { tail } = queue.stats();
  if (from > tail) {
    throw new CliError(
      'ERR_OUT_OF_RANGE',
      `--from ${from} is past the end of the queue (position ${tail})`,
      EXIT.usage,
    );
  }
}

/** Codes @mapsync/ipc gives a tailer's options it refuses: a mistake on the command line. */
const BAD_TAILER_OPTION = new Set([
  'ERR_OUT_OF_RANGE',
  'ERR_NOT_RECORD_START',
  'ERR_UNALIGNED',
  'ERR_INVALID_ARG_TYPE',
  'ERR_NAME_TOO_LONG',
]);

function openTailer(
  queue: Queue,
  name: string | undefined,
  from: 'beginning' | 'end' | number,
): Tailer {
  try {
    return queue.tailer(name === undefined ? { from } : { name, from });
  } catch (error) {
    const code = errorCode(error);
    if (code !== undefined && BAD_TAILER_OPTION.has(code) && error instanceof Error) {
      // Its message names options.name / options.from: --name and --from here.
      throw new CliError(code, `${error.message} (see 'mapsync queue tail --help')`, EXIT.usage);
    }
    throw error;
  }
}

export function tailCommand() {
  return new Command('tail')
    .description('print the records of a queue; with --follow, wait for new ones until interrupted')
    .argument('<dir>', 'the queue directory')
    .option(
      '--name <name>',
      'a named tailer: starts where the last run with this name stopped, and is remembered in the queue',
    )
    .option(
      '--from <where>',
      "where a new tailer starts: 'beginning' (default), 'end', or a position from tail --json",
      tailStart,
    )
    .option('--follow', 'keep waiting for new records until Ctrl-C (SIGINT) or SIGTERM')
    .option('--count <n>', 'stop after this many records', positiveCount)
    .option('--json', 'one JSON object per record, one per line (shape in the README)')
    .action(async (dir, options) => {
      const queue = Queue.open(queueDirectory(dir).path);
      const stop = new AbortController();
      // Closing the queue ends a tailer's wait (it rejects): the way out of --follow.
      const stopListening = onStopRequest(() => {
        stop.abort();
        queue.close();
      });
      try {
        const from = options.from ?? 'beginning';
        checkInsideQueue(queue, from);
        const tailer = openTailer(queue, options.name, from);
        await printRecords(tailer, {
          follow: options.follow === true,
          limit: options.count ?? Number.MAX_SAFE_INTEGER,
          json: options.json === true,
        });
      } catch (error) {
        if (!stop.signal.aborted) throw error;
      } finally {
        stopListening();
        queue.close();
      }
    });
}
