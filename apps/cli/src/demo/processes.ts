// The demo's other processes: programs built next to the bin (dist/children/*.mjs,
// entries in tsup.config.ts), run by the same Node.js. This module is bundled into
// dist/bin.mjs, so import.meta.url is the bin's and the path is relative to dist/.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { CliError } from '../errors.js';

export type ChildName = 'bank-writer' | 'record-consumer';

export interface Child {
  readonly pid: number;
  readonly lines: AsyncIterableIterator<string>;
  /** How it ended, with what it printed on stderr (never rejects). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill(signal: NodeJS.Signals): void;
}

/** Children started and not yet ended. */
const running = new Set<ChildProcess>();

/** Kills every child still running (SIGKILL) and waits for them to end, at most 2 s. */
export async function stopChildren(): Promise<void> {
  const ended = [...running].map(
    (child) =>
      new Promise<void>((resolve) => {
        child.once('close', () => {
          resolve();
        });
        child.kill('SIGKILL');
      }),
  );
  await Promise.race([Promise.all(ended), new Promise((resolve) => setTimeout(resolve, 2000))]);
}

export function startChild(name: ChildName, args: readonly string[]): Child {
  const program = fileURLToPath(new URL(`./children/${name}.mjs`, import.meta.url));
  const child = spawn(process.execPath, [program, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('close', () => running.delete(child));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return {
    pid: child.pid ?? -1,
    lines: createInterface({ input: child.stdout })[Symbol.asyncIterator](),
    exited: new Promise((resolve) => {
      child.on('close', (code, signal) => {
        resolve({ code, signal, stderr });
      });
    }),
    kill: (signal) => child.kill(signal),
  };
}

/** The child's next line; a clear error if it ended instead. */
export async function nextLine(child: Child, name: ChildName): Promise<string> {
  const next = await child.lines.next();
  if (next.done !== true) return next.value;
  const { code, signal, stderr } = await child.exited;
  throw new CliError(
    'ERR_DEMO_CHILD',
    `the ${name} process ended (${signal ?? String(code)}) early: ${stderr.trim()}`,
  );
}
