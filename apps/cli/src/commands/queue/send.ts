// `mapsync queue send <dir> [message...]`: append messages to a queue, one record each,
// as UTF-8: the arguments, or with --stdin the lines of stdin, each appended as it
// arrives (a `tail --follow` elsewhere sees a line as soon as it is typed). In an empty
// directory it makes a new queue. --durability record is the guide's msync per record.
import { createInterface } from 'node:readline';

import { Command, Option } from '@commander-js/extra-typings';
import { Queue, type Durability } from '@mapsync/ipc';

import { printFields, printJson } from '../../output.js';
import { queueDirectory } from '../../queue/queue-dir.js';

const DURABILITIES = ['none', 'record'] as const satisfies readonly Durability[];

const DURABILITY_MEANING: Record<(typeof DURABILITIES)[number], string> = {
  none: 'none: in the page cache (a process crash loses nothing, a power cut may); the kernel writes it to disk later',
  record: 'record: each record was on disk (msync) before the next was appended',
};

export interface SendReport {
  readonly queue: string;
  /** true when this run made the queue (the directory was empty). */
  readonly created: boolean;
  readonly durability: (typeof DURABILITIES)[number];
  readonly sent: number;
  /** Where each record starts, in the order sent. */
  readonly positions: readonly number[];
  /** Every record before this position is on disk. */
  readonly durablePosition: number;
}

// Every line is a record, a blank one too (an empty record): skipping lines would
// silently drop part of what was piped in.
async function* stdinLines(): AsyncGenerator<string> {
  yield* createInterface({ input: process.stdin, crlfDelay: Infinity });
}

async function sendMessages(
  dir: string,
  messages: AsyncIterable<string> | Iterable<string>,
  durability: SendReport['durability'],
): Promise<SendReport> {
  const target = queueDirectory(dir, { createInEmpty: true });
  const queue = Queue.open(target.path, { durability });
  try {
    const encoder = new TextEncoder();
    const positions: number[] = [];
    for await (const message of messages) positions.push(queue.append(encoder.encode(message)));
    return {
      queue: target.path,
      created: target.isNew,
      durability,
      sent: positions.length,
      positions,
      durablePosition: queue.stats().durablePosition,
    };
  } finally {
    queue.close();
  }
}

function describePositions(positions: readonly number[]): string {
  const [first] = positions;
  const last = positions.at(-1);
  if (first === undefined || last === undefined) return 'nothing sent';
  return first === last ? `position ${first}` : `positions ${first}..${last}`;
}

export function sendCommand() {
  const command = new Command('send')
    .description('append messages to a queue, one record each (UTF-8)')
    .argument('<dir>', 'the queue directory (an empty directory gets a new queue)')
    .argument('[message...]', 'the messages, one record each')
    .option('--stdin', 'send the lines of stdin instead, one record per line')
    .addOption(
      new Option(
        '--durability <level>',
        'none: left to the kernel (survives a process crash); record: msync each record before the next',
      )
        .choices(DURABILITIES)
        .default('none' as const),
    )
    .option('--json', 'print JSON (shape in the README)');
  return command.action(async (dir, messages, options) => {
    const fromStdin = options.stdin === true;
    if (fromStdin && messages.length > 0)
      command.error('give the messages as arguments or with --stdin, not both');
    if (!fromStdin && messages.length === 0)
      command.error('nothing to send: give messages as arguments, or --stdin');
    const report = await sendMessages(dir, fromStdin ? stdinLines() : messages, options.durability);
    if (options.json === true) {
      printJson(report);
      return;
    }
    printFields([
      ['queue', `${report.queue}${report.created ? ' (new)' : ''}`],
      ['sent', `${report.sent} record(s): ${describePositions(report.positions)}`],
      ['durability', DURABILITY_MEANING[report.durability]],
    ]);
  });
}
