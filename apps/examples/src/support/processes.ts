// The "other process" of each scenario is a real one: a small TypeScript program in
// src/processes/, run by the same Node.js through the tsx loader. Resolving the loader
// from here (not from the working directory) makes this work from any directory,
// under `npm run example` and under vitest alike.
import { execFile, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

/** The programs in src/processes/. */
export type ProgramName =
  'read-file' | 'write-file' | 'page-cache-peer' | 'record-consumer' | 'bank-writer';

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

function nodeArguments(program: ProgramName, args: readonly string[]): string[] {
  const file = fileURLToPath(new URL(`../processes/${program}.ts`, import.meta.url));
  return ['--import', tsxLoader, file, ...args];
}

/** Runs a program to its end and returns what it printed; rejects if it fails. */
export async function runProgram(program: ProgramName, args: readonly string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, nodeArguments(program, args), {
    encoding: 'utf8',
  });
  return stdout;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

export interface RunningProgram {
  readonly pid: number;
  /** The lines it prints, as they come. */
  readonly lines: AsyncIterableIterator<string>;
  /** How it ended (never rejects). */
  readonly exited: Promise<Exit>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts a program that runs alongside this one. */
export function startProgram(program: ProgramName, args: readonly string[]): RunningProgram {
  const child = spawn(process.execPath, nodeArguments(program, args), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Exit>((resolve) => {
    child.on('close', (code, signal) => {
      resolve({ code, signal, stderr });
    });
  });
  return {
    pid: child.pid ?? -1,
    lines: createInterface({ input: child.stdout })[Symbol.asyncIterator](),
    exited,
    kill: (signal) => child.kill(signal),
  };
}

/** The next line a program prints; rejects if it ends first. */
export async function nextLine(program: RunningProgram): Promise<string> {
  const next = await program.lines.next();
  if (next.done === true) {
    const exit = await program.exited;
    throw new Error(
      `process ${program.pid} ended (${exit.signal ?? String(exit.code)}) before printing: ${exit.stderr}`,
    );
  }
  return next.value;
}
