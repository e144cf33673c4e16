// The command tree, and what turns a run into an exit code and at most one error line.
// Each command is built in src/commands/; a new one is one more entry in COMMANDS.
import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';

import packageJson from '../package.json' with { type: 'json' };
import { benchCommand } from './commands/bench.js';
import { demoCommand } from './commands/demo.js';
import { flushCommand } from './commands/flush.js';
import { inspectCommand } from './commands/inspect.js';
import { queueCommand } from './commands/queue/index.js';
import { walCommand } from './commands/wal/index.js';
import { UsageError, describeFailure } from './errors.js';
import { EXIT, type ExitCode, type Outcome } from './exit-codes.js';

const COMMANDS: readonly ((outcome: Outcome) => CommandUnknownOpts)[] = [
  demoCommand,
  inspectCommand,
  flushCommand,
  benchCommand,
  walCommand,
  queueCommand,
];

const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  error (missing file, failed system call...)
  2  usage (unknown command or option, bad value)
  3  damaged write-ahead log (acknowledged records unreadable) or queue segment`;

/** Commander reports every usage mistake through us: one line, exit code 2. */
function reportThroughUs(command: CommandUnknownOpts, path: string): void {
  command.exitOverride((error) => {
    throw new UsageError(error, path);
  });
  command.configureOutput({ outputError: () => undefined });
  for (const sub of command.commands) reportThroughUs(sub, `${path} ${sub.name()}`);
}

function buildProgram(outcome: Outcome): Command {
  const program = new Command('mapsync')
    .description(
      'Durable memory-mapped files: see what msync does on your machine, and check your files, logs and queues.',
    )
    .version(packageJson.version)
    .addHelpText('after', EXIT_CODES_HELP);
  for (const command of COMMANDS) program.addCommand(command(outcome));
  reportThroughUs(program, 'mapsync');
  return program;
}

/** Runs one command line (process.argv form); resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<ExitCode> {
  const outcome: Outcome = { exitCode: EXIT.ok };
  try {
    await buildProgram(outcome).parseAsync([...argv]);
    return outcome.exitCode;
  } catch (error) {
    const { line, exitCode } = describeFailure(error);
    if (line !== undefined) process.stderr.write(`mapsync: ${line}\n`);
    return exitCode;
  }
}
