// Shared test scaffolding: a scratch directory per test file on the real disk, and
// child processes that run fixture scripts against the built package.
import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/** A directory under the package (the real disk, not tmpfs), removed after the file's tests. */
export function scratchDir(): string {
  const dir = mkdtempSync(join(packageRoot, '.test-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Creates (or truncates) a file of `size` bytes and returns an fd opened read-write. */
export function sizedFile(path: string, size: number, flags = 'w+'): number {
  const fd = openSync(path, flags, 0o600);
  ftruncateSync(fd, size);
  return fd;
}

export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed by the test
  }
}

export const fixture = (name: string): string => join(packageRoot, 'test', 'fixtures', name);

/** Spawns `node fixture args...`; resolves with its exit code and output. */
export function runFixture(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): { child: ChildProcessByStdio<null, Readable, Readable>; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [fixture(name), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
  return { child, done };
}

/** Resolves once the child has printed a line equal to `line`. */
export function waitForLine(child: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (d: Buffer): void => {
      buffered += d.toString();
      if (buffered.split('\n').includes(line)) {
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      reject(new Error(`child exited (${code}) before printing "${line}"; output so far: ${buffered}`));
    });
  });
}
