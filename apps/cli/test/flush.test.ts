import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { json, mapsync, scratchDirs } from './helpers.js';

const nextDir = scratchDirs();

function fileOf(size: number): string {
  const file = join(nextDir(), 'data.bin');
  writeFileSync(file, new Uint8Array(size).fill(1));
  return file;
}

describe('flush', () => {
  it('aligns a range to pages and says what it synced, how and how long', () => {
    const file = fileOf(5 * 4096);
    const run = mapsync(['flush', file, '--offset', '5000', '--length', '100']);
    expect(run.stdout).toContain(`flushed  ${file}`);
    expect(run.stdout).toContain('asked    bytes 5000..5100');
    expect(run.stdout).toContain('synced   bytes 4096..8192 (1 page, aligned)');
    expect(run.stdout).toContain('method   msync(MS_SYNC) x1');
    expect(run.stdout).toMatch(/took {5}\d+(\.\d+ ms| µs)/);
    expect(run.status).toBe(0);
  });

  it('--json: the whole file by default, with the documented fields', () => {
    const file = fileOf(3 * 4096 + 1);
    const report = json(mapsync(['flush', file, '--json']));
    expect(Object.keys(report)).toEqual([
      'path',
      'size',
      'requested',
      'synced',
      'bytes',
      'via',
      'method',
      'calls',
      'durationMs',
    ]);
    expect(report).toMatchObject({
      path: file,
      size: 12289,
      requested: { offset: 0, length: 12289 },
      synced: [{ offset: 0, length: 12289 }],
      bytes: 12289,
      via: 'msync',
      method: 'msync(MS_SYNC) x1',
      calls: 1,
    });
    expect(typeof report.durationMs).toBe('number');
  });

  it.each([
    ['fdatasync', 'msync(MS_ASYNC) x1 + fdatasync', 2],
    ['fsync', 'msync(MS_ASYNC) x1 + fsync', 2],
    ['msync', 'msync(MS_SYNC) x1', 1],
  ])('--via %s makes the calls the guide names', (via, method, calls) => {
    const report = json(
      mapsync(['flush', fileOf(8192), '--offset', '4096', '--via', via, '--json']),
    );
    expect(report).toMatchObject({ via, method, calls, synced: [{ offset: 4096, length: 4096 }] });
  });

  it('a range past the end of the file: ERR_OUT_OF_RANGE, exit 2', () => {
    const run = mapsync(['flush', fileOf(4096), '--offset', '4000', '--length', '200']);
    expect(run.stderr).toBe(
      'mapsync: ERR_OUT_OF_RANGE: --offset 4000 --length 200 ends past the end of the file (4096 bytes)\n',
    );
    expect(run.status).toBe(2);
  });

  it('--length 0 (nothing to make durable) is a usage error, not a success that synced nothing', () => {
    const run = mapsync(['flush', fileOf(4096), '--via', 'fdatasync', '--length', '0', '--json']);
    expect(run.stderr).toContain("ERR_USAGE: option '--length <bytes>' argument '0' is invalid");
    expect(run.stdout).toBe('');
    expect(run.status).toBe(2);
  });

  it('a missing file: ENOENT, exit 1', () => {
    const missing = join(nextDir(), 'nope');
    const run = mapsync(['flush', missing, '--json']);
    expect(run.stderr).toBe(`mapsync: ENOENT: no such file: ${missing}\n`);
    expect(run.stdout).toBe('');
    expect(run.status).toBe(1);
  });

  it('an empty file: ERR_EMPTY_FILE, exit 1', () => {
    const run = mapsync(['flush', fileOf(0)]);
    expect(run.stderr).toMatch(
      /^mapsync: ERR_EMPTY_FILE: .* is empty: there is nothing to flush\n$/,
    );
    expect(run.status).toBe(1);
  });
});
