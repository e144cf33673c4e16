import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

const appRoot = fileURLToPath(new URL('..', import.meta.url));
const bin = join(appRoot, 'dist', 'bin.mjs');

// What the tests compare is plain text: colors off, whatever the environment says (CI
// sets CI=true, which turns picocolors on even without a terminal).
const plainEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  return env;
};

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `mapsync ...args` as a subprocess, the way a shell would (`input` on its stdin). */
export function mapsync(
  args: readonly string[],
  { env = {}, input }: { env?: NodeJS.ProcessEnv; input?: string } = {},
): Run {
  const run = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...plainEnv(), ...env },
    ...(input === undefined ? {} : { input }),
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Runs `mapsync ...args` with raw bytes on its stdin (no text encoding on the way in). */
export function spawnMapsyncRaw(args: readonly string[], input: Uint8Array): Run {
  const run = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: plainEnv(), input });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/**
 * Runs `mapsync ...args | pipeTo` in bash with pipefail: the status is mapsync's when it
 * failed, so a crash on a reader that went away shows.
 */
export function mapsyncPiped(args: readonly string[], pipeTo: string): Run {
  const quote = (word: string): string => `'${word.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, bin, ...args].map(quote).join(' ');
  const run = spawnSync('bash', ['-o', 'pipefail', '-c', `${command} | ${pipeTo}`], {
    encoding: 'utf8',
    env: plainEnv(),
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

export interface RunningMapsync {
  /** What it prints on stdout, line by line, as it comes. */
  readonly lines: AsyncIterator<string>;
  /** Its exit code and signal, and all it printed on stderr (never rejects). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts `mapsync ...args` alongside the test, for commands that run until stopped. */
export function startMapsync(args: readonly string[]): RunningMapsync {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: plainEnv() });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return {
    lines: createInterface({ input: child.stdout })[Symbol.asyncIterator](),
    exited: new Promise((resolve) => {
      child.on('close', (code, signal) => {
        resolve({ code, signal, stderr });
      });
    }),
    kill: (signal) => child.kill(signal),
  };
}

/** --json output, parsed. */
export function json(run: Run): Record<string, unknown> {
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

/** Fresh directories on the real disk (under the app, removed after the file's tests). */
export function scratchDirs(): () => string {
  const root = mkdtempSync(join(appRoot, '.test-'));
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });
  let n = 0;
  return () => {
    const dir = join(root, `case-${++n}`);
    mkdirSync(dir);
    return dir;
  };
}

/** Flips every bit of the first byte of `text` in `file`: a bit flip in the middle of a record. */
export function flipByteOf(file: string, text: string): void {
  const bytes = readFileSync(file);
  const at = bytes.indexOf(text);
  if (at === -1) throw new Error(`'${text}' is not in ${file}`);
  bytes[at] = (bytes[at] ?? 0) ^ 0xff;
  writeFileSync(file, bytes);
}
