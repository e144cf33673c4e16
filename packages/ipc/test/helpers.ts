import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/** Fresh directories under the package (the real disk), removed after the file's tests. */
export function scratchDirs(): () => string {
  const root = mkdtempSync(join(packageRoot, '.test-'));
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });
  let n = 0;
  return () => join(root, `queue-${++n}`);
}

export const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
export const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

export interface Child {
  readonly lines: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill(signal?: NodeJS.Signals): void;
  /** Resolves when a line matching `test` has been printed. */
  waitFor(test: (line: string) => boolean): Promise<string>;
}

const running = new Set<ChildProcess>();
// A test that fails (or times out) mid-way must not leave its processes behind.
afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
});

/** Runs test/fixtures/<name> with `args`, collecting stdout lines as they come. */
export function runFixture(name: string, args: string[]): Child {
  const child = spawn(process.execPath, [join(packageRoot, 'test', 'fixtures', name), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  const lines: string[] = [];
  const waiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  let partial = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    partial += d.toString();
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const w of waiters.splice(0)) {
        if (w.test(line)) w.resolve(line);
        else waiters.push(w);
      }
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => {
      resolve({ code, signal, stderr });
    });
  });
  return {
    lines,
    exited,
    kill: (signal = 'SIGKILL') => child.kill(signal),
    waitFor: (test) =>
      new Promise((resolve, reject) => {
        const seen = lines.find(test);
        if (seen !== undefined) {
          resolve(seen);
          return;
        }
        waiters.push({ test, resolve });
        void exited.then(({ code, stderr: err }) => {
          reject(new Error(`fixture ${name} exited (${code}) first: ${err}`));
        });
      }),
  };
}
