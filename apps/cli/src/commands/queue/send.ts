// `mapsync queue send <dir> [message...]`: append messages to a queue, one record each:
// the arguments as UTF-8, or with --stdin the lines of stdin as the bytes they are, each
// appended as it arrives (a `tail --follow` elsewhere sees a line as soon as it is
// typed). In an empty directory it makes a new queue. --durability record is the
// guide's msync per record.
import { Command, Option } from '@commander-js/extra-typings';
import { Queue, type Durability } from '@mapsync/ipc';

import { CliError, describeFailure, errorCode } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
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

const LF = 0x0a;
const CR = 0x0d;

/**
 * The lines of stdin as bytes, each without its line end (LF or CR LF), not decoded:
 * bytes that are not UTF-8 are sent as they are. Every line is a record, a blank one
 * too (an empty record): skipping lines would silently drop part of what was piped in.
 */
async function* stdinLines(): AsyncGenerator<Uint8Array> {
  // A line spread over many chunks is joined once, at its end.
  let parts: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    let start = 0;
    for (let end = chunk.indexOf(LF); end !== -1; end = chunk.indexOf(LF, start)) {
      yield withoutCr(Buffer.concat([...parts, chunk.subarray(start, end)]));
      parts = [];
      start = end + 1;
    }
    if (start < chunk.length) parts.push(chunk.subarray(start));
  }
  if (parts.length > 0) yield withoutCr(Buffer.concat(parts));
}

function withoutCr(line: Buffer): Buffer {
  return line.at(-1) === CR ? line.subarray(0, -1) : line;
}

/**
 * Node hands arguments over decoded, bytes that are not UTF-8 already replaced by U+FFFD:
 * sending that would change the message without a word, so it is refused.
 */
function encodeArguments(messages: readonly string[]): Uint8Array[] {
  const encoder = new TextEncoder();
  return messages.map((message, i) => {
    if (message.includes('\uFFFD')) {
      throw new CliError(
        'ERR_INVALID_UTF8',
        `message ${i + 1} is not valid UTF-8 (or holds U+FFFD); send bytes that are not UTF-8 with --stdin`,
        EXIT.usage,
      );
    }
    return encoder.encode(message);
  });
}

async function sendMessages(
  dir: string,
  messages: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  durability: SendReport['durability'],
): Promise<SendReport> {
  const target = queueDirectory(dir, { createInEmpty: true });
  const queue = Queue.open(target.path, { durability });
  try {
    const positions: number[] = [];
    for await (const message of messages) {
      try {
        positions.push(queue.append(message));
      } catch (error) {
        throw partlySent(error, positions);
      }
    }
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

/** An append failed after others were made: the error says which got in. */
function partlySent(error: unknown, positions: readonly number[]): unknown {
  if (!(error instanceof Error) || positions.length === 0) return error;
  return new CliError(
    errorCode(error) ?? 'ERR_UNEXPECTED',
    `${error.message} (message ${positions.length + 1}; sent before it: ${positions.length}, ${describePositions(positions)})`,
    // The exit code the error has on its own (3 for a damaged segment).
    describeFailure(error).exitCode,
  );
}

function describePositions(positions: readonly number[]): string {
  const [first] = positions;
  const last = positions.at(-1);
  if (first === undefined || last === undefined) return 'nothing sent';
  return first === last ? `position ${first}` : `positions ${first}..${last}`;
}

export function sendCommand() {
  const command = new Command('send')
    .description('append messages to a queue, one record each')
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
    const report = await sendMessages(
      dir,
      fromStdin ? stdinLines() : encodeArguments(messages),
      options.durability,
    );
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
