// Every failure ends as one line, `mapsync: CODE: message`, and an exit code. Errors
// from the mapsync packages and from Node carry a `code` already; the CLI's own
// checks throw CliError with one.
import { CommanderError } from '@commander-js/extra-typings';

import { EXIT, type ExitCode } from './exit-codes.js';

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode = EXIT.error,
  ) {
    super(message);
  }
}

/** A command-line mistake found by commander, with the command to ask for help on. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    readonly commanderError: CommanderError,
    readonly commandPath: string,
  ) {
    super(commanderError.message.replace(/^error: /, ''));
  }
}

/** The code an error carries (Node's and the mapsync packages' errors have one). */
export function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

/** The line to print (none when commander already printed help) and the exit code. */
export function describeFailure(error: unknown): { line: string | undefined; exitCode: ExitCode } {
  if (error instanceof UsageError) {
    const { code } = error.commanderError;
    // --help and --version end here too: they are not failures.
    if (code === 'commander.helpDisplayed' || code === 'commander.version')
      return { line: undefined, exitCode: EXIT.ok };
    // `mapsync help [command]` asked for help (exit 0); a command group run without its
    // subcommand got it printed to stderr instead (commander's exit code 1).
    if (code === 'commander.help') {
      return {
        line: undefined,
        exitCode: error.commanderError.exitCode === 0 ? EXIT.ok : EXIT.usage,
      };
    }
    return {
      line: `ERR_USAGE: ${error.message} (see '${error.commandPath} --help')`,
      exitCode: EXIT.usage,
    };
  }
  if (error instanceof Error) {
    const code = errorCode(error) ?? 'ERR_UNEXPECTED';
    // Node's messages start with the code already ("ENOENT: no such file...").
    const message = error.message.startsWith(`${code}: `)
      ? error.message.slice(code.length + 2)
      : error.message;
    const exitCode =
      error instanceof CliError ? error.exitCode : code === 'ECORRUPT' ? EXIT.damaged : EXIT.error;
    return { line: `${code}: ${message}`, exitCode };
  }
  return { line: `ERR_UNEXPECTED: ${String(error)}`, exitCode: EXIT.error };
}
