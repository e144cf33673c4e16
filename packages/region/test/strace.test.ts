// The system calls as the kernel sees them (strace, following every thread: async
// flushes run on libuv's pool): a created file is preallocated, then fsynced, then
// its directory; one dirty page is one msync of one page; pages 1-3 and 7 are two.
// Runs the built package (dist/) in a child process; skipped where strace is missing.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { pageSize } from '../src/index.js';
import { scratchDir } from './helpers.js';

const dir = scratchDir();
const fixture = join(import.meta.dirname, 'fixtures', 'traced-region.mjs');

function hasStrace(): boolean {
  try {
    execFileSync('strace', ['-o', '/dev/null', 'true']);
    return true;
  } catch {
    return false;
  }
}

/** Runs the fixture under strace; returns the traced lines (pid prefix removed). */
function traced(scenario: string, path: string, calls: string): string[] {
  const log = `${path}.${scenario}.strace`;
  execFileSync('strace', [
    '-f',
    '-qq',
    '-e',
    `trace=${calls}`,
    '-o',
    log,
    process.execPath,
    fixture,
    scenario,
    path,
  ]);
  return readFileSync(log, 'utf8')
    .split('\n')
    .map((line) => line.replace(/^\d+\s+/, ''))
    .filter((line) => line !== '' && !line.startsWith('+++') && !line.startsWith('---'));
}

describe.skipIf(!hasStrace())('system calls seen by the kernel', () => {
  const path = join(dir, 'traced.dat');

  it('creating: O_CREAT|O_EXCL 0600, fallocate of the size, fsync of the file, then of its directory', () => {
    const lines = traced('create', path, 'openat,fallocate,fsync,fdatasync');
    const created = lines.findIndex(
      (l) => l.includes('traced.dat') && /O_CREAT\|O_EXCL.*0600\) = \d+/.test(l),
    );
    expect(created).toBeGreaterThanOrEqual(0);
    const fd = /= (\d+)$/.exec(lines[created] ?? '')?.[1];
    const rest = lines.slice(created + 1);
    const allocate = rest.findIndex((l) => l.startsWith(`fallocate(${fd}, 0, 0, 1048576)`));
    const fileSync = rest.findIndex((l) => l.startsWith(`fsync(${fd})`));
    const dirOpen = rest.findIndex((l) => l.includes(`"${dir}"`) && l.includes('O_DIRECTORY'));
    const dirFd = /= (\d+)$/.exec(rest[dirOpen] ?? '')?.[1];
    const dirSync = rest.findIndex((l) => l.startsWith(`fsync(${dirFd})`));
    expect(allocate).toBeGreaterThanOrEqual(0);
    expect(fileSync).toBeGreaterThan(allocate);
    expect(dirOpen).toBeGreaterThan(fileSync);
    expect(dirSync).toBeGreaterThan(dirOpen);
  });

  it('one dirty page of a 1 MiB mapping: exactly one msync, of one page, MS_SYNC', () => {
    const msyncs = traced('one-page', path, 'msync').filter((l) => l.startsWith('msync('));
    expect(msyncs).toHaveLength(1);
    expect(msyncs[0]).toMatch(new RegExp(`^msync\\(0x[0-9a-f]+, ${pageSize}, MS_SYNC\\) = 0`));
  });

  it('pages 1, 2, 3 and 7 dirty: exactly two msync calls, of 3 pages and 1 page', () => {
    const msyncs = traced('coalesce', path, 'msync').filter((l) => l.startsWith('msync('));
    expect(msyncs.map((l) => /, (\d+), MS_SYNC\) = 0/.exec(l)?.[1])).toEqual([
      String(3 * pageSize),
      String(pageSize),
    ]);
  });
});
