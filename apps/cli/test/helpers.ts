import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

const appRoot = fileURLToPath(new URL('..', import.meta.url));
const bin = join(appRoot, 'dist', 'bin.mjs');

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `mapsync ...args` as a subprocess, the way a shell would. */
export function mapsync(args: readonly string[], env: NodeJS.ProcessEnv = {}): Run {
  const run = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
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
