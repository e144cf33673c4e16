// Shared test scaffolding: scratch files on the real disk, regions that close
// themselves after each test, a second process (plain node:fs, or a fixture script
// against the built package), a counter of the msync calls a region really makes,
// and flush system calls that fail on cue.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { Mapping, errnoError } from '@mapsync/native';
import { afterAll, afterEach, expect, vi, type MockInstance } from 'vitest';

import type { ReadonlyRegion, WritableRegion } from '../src/index.js';
import { openRegionSyncWith } from '../src/open.js';
import { systemCalls, type FlushSyscalls } from '../src/syscalls.js';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/** A directory under the package (the real disk, not tmpfs), removed after the file's tests. */
export function scratchDir(): string {
  const dir = mkdtempSync(join(packageRoot, '.test-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Matches an error whose `code` is `code` (or matches it), for toThrow and rejects.toThrow. */
export function withCode(code: string | RegExp): unknown {
  const expected: unknown = typeof code === 'string' ? code : expect.stringMatching(code);
  return expect.objectContaining({ code: expected }) as unknown;
}

const opened: ReadonlyRegion[] = [];

/** Registers a region to be closed after the current test, whatever happens in it. */
export function track<R extends ReadonlyRegion>(region: R): R {
  opened.push(region);
  return region;
}

afterEach(() => {
  for (const region of opened.splice(0)) region[Symbol.dispose]();
});

const execFileAsync = promisify(execFile);

/** Runs `source` as an ES module in a fresh node process; resolves with its stdout. */
export async function runNode(source: string, args: string[] = []): Promise<string> {
  const { stdout } = await execFileAsync(
    process.execPath,
    ['--input-type=module', '-e', source, '--', ...args],
    {
      cwd: packageRoot,
    },
  );
  return stdout;
}

/** Reads `length` bytes at `offset` of `path` with read(2), in another process. */
export async function readInOtherProcess(
  path: string,
  offset: number,
  length: number,
): Promise<Buffer> {
  const source = `
    import { openSync, readSync } from 'node:fs';
    const [path, offset, length] = process.argv.slice(1);
    const buffer = Buffer.alloc(Number(length));
    readSync(openSync(path, 'r'), buffer, 0, buffer.length, Number(offset));
    process.stdout.write(buffer.toString('base64'));`;
  return Buffer.from(await runNode(source, [path, String(offset), String(length)]), 'base64');
}

/** Writes `text` and a terminating zero byte (like strcpy) at `offset` of `path` with write(2), in another process. */
export async function writeInOtherProcess(
  path: string,
  offset: number,
  text: string,
): Promise<void> {
  const source = `
    import { openSync, writeSync } from 'node:fs';
    const [path, offset, text] = process.argv.slice(1);
    const bytes = Buffer.from(text + '\\0');
    writeSync(openSync(path, 'r+'), bytes, 0, bytes.length, Number(offset));`;
  await runNode(source, [path, String(offset), text]);
}

/**
 * Spies on the msync calls every region makes (Mapping is the class of the
 * @mapsync/native module instance the region imports): the calls still happen.
 * Each call is recorded as [offset, length, flags].
 */
export function countMsync(): {
  async: MockInstance<Mapping['msync']>;
  sync: MockInstance<Mapping['msyncSync']>;
} {
  return {
    async: vi.spyOn(Mapping.prototype, 'msync'),
    sync: vi.spyOn(Mapping.prototype, 'msyncSync'),
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

const EIO = -5;

/**
 * Flush system calls that behave like the real ones until `failAt` (1-based) calls to
 * `which` have been made; that call fails with EIO without reaching the kernel.
 */
export function failingSyscalls(
  which: keyof FlushSyscalls,
  failAt: number,
): FlushSyscalls & { readonly errors: Error[] } {
  let seen = 0;
  const errors: Error[] = [];
  const fail = (): Error => {
    const error = errnoError(EIO, which.replace('Sync', ''));
    errors.push(error);
    return error;
  };
  const shouldFail = (name: keyof FlushSyscalls): boolean => name === which && ++seen === failAt;
  return {
    errors,
    msync: (mapping, offset, length, flags) =>
      shouldFail('msync')
        ? Promise.reject(fail())
        : systemCalls.msync(mapping, offset, length, flags),
    msyncSync: (mapping, offset, length, flags) => {
      if (shouldFail('msyncSync')) throw fail();
      systemCalls.msyncSync(mapping, offset, length, flags);
    },
    fsync: (fd) => (shouldFail('fsync') ? Promise.reject(fail()) : systemCalls.fsync(fd)),
    fsyncSync: (fd) => {
      if (shouldFail('fsyncSync')) throw fail();
      systemCalls.fsyncSync(fd);
    },
    fdatasync: (fd) =>
      shouldFail('fdatasync') ? Promise.reject(fail()) : systemCalls.fdatasync(fd),
    fdatasyncSync: (fd) => {
      if (shouldFail('fdatasyncSync')) throw fail();
      systemCalls.fdatasyncSync(fd);
    },
  };
}

/** The real flush system calls, with the name of each call made appended to `made`. */
export function recordingSyscalls(): FlushSyscalls & { readonly made: string[] } {
  const made: string[] = [];
  return {
    made,
    msync: (mapping, offset, length, flags) => {
      made.push('msync');
      return systemCalls.msync(mapping, offset, length, flags);
    },
    msyncSync: (mapping, offset, length, flags) => {
      made.push('msync');
      systemCalls.msyncSync(mapping, offset, length, flags);
    },
    fsync: (fd) => {
      made.push('fsync');
      return systemCalls.fsync(fd);
    },
    fsyncSync: (fd) => {
      made.push('fsync');
      systemCalls.fsyncSync(fd);
    },
    fdatasync: (fd) => {
      made.push('fdatasync');
      return systemCalls.fdatasync(fd);
    },
    fdatasyncSync: (fd) => {
      made.push('fdatasync');
      systemCalls.fdatasyncSync(fd);
    },
  };
}

/**
 * The real flush system calls, except that each async msync first waits until
 * `release()`: a test can act while a flush is in flight. `started` resolves when the
 * first msync is waiting.
 */
export function gatedSyscalls(): FlushSyscalls & {
  readonly started: Promise<void>;
  release(): void;
} {
  let signalStarted = (): void => undefined;
  let open = (): void => undefined;
  const started = new Promise<void>((resolve) => (signalStarted = resolve));
  const gate = new Promise<void>((resolve) => (open = resolve));
  return {
    ...systemCalls,
    started,
    release: () => {
      open();
    },
    msync: async (mapping, offset, length, flags) => {
      signalStarted();
      await gate;
      return systemCalls.msync(mapping, offset, length, flags);
    },
  };
}

/** A writable region of `size` bytes (created) whose flushes use `syscalls`. */
export function writableWith(path: string, size: number, syscalls: FlushSyscalls): WritableRegion {
  return track(
    openRegionSyncWith(path, { mode: 'rw', create: true, size }, syscalls) as WritableRegion,
  );
}
