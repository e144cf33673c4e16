// The benchmark's shape and hygiene; its timings are never asserted.
import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';

import { json, mapsync, scratchDirs, startMapsync } from './helpers.js';

const nextDir = scratchDirs();

it('--json: every method, its system calls, bytes per flush and percentiles; leaves nothing behind', () => {
  const dir = nextDir();
  const run = mapsync(['bench', 'sync', '--rounds', '3', '--dir', dir, '--json']);
  expect(run.status).toBe(0);
  expect(run.stderr).toBe('');
  const report = json(run);
  expect(report).toMatchObject({ dir, mappingSize: 1024 * 1024, pageSize: 4096, rounds: 3 });
  expect(typeof report.fileSystem).toBe('string');
  const cases = report.cases as Record<string, unknown>[];
  expect(cases.map((c) => [c.id, c.method, c.bytesPerFlush, c.samples])).toEqual([
    ['ms-sync', 'msync(MS_SYNC) x1', 4096, 3],
    ['ms-async-fsync', 'msync(MS_ASYNC) x1 + fsync', 4096, 3],
    ['ms-async-fdatasync', 'msync(MS_ASYNC) x1 + fdatasync', 4096, 3],
    ['ms-sync-whole', 'msync(MS_SYNC) x1', 1024 * 1024, 3],
  ]);
  for (const c of cases)
    for (const key of ['p50Us', 'p99Us', 'meanUs']) expect(c[key]).toBeGreaterThan(0);
  expect(readdirSync(dir)).toEqual([]);
});

it('prints a table of the methods, and no progress bar off a terminal', () => {
  const run = mapsync(['bench', 'sync', '--rounds', '2', '--dir', nextDir()]);
  expect(run.status).toBe(0);
  expect(run.stderr).toBe(''); // no progress bar when stderr is not a terminal
  for (const label of [
    'MS_SYNC, the dirty page',
    'MS_ASYNC + fsync',
    'MS_ASYNC + fdatasync',
    'MS_SYNC, the whole mapping',
  ]) {
    expect(run.stdout).toContain(label);
  }
  expect(run.stdout).toContain('p50 vs MS_SYNC');
});

it('a missing --dir: ENOENT, exit 1', () => {
  const run = mapsync(['bench', 'sync', '--dir', '/nonexistent/mapsync']);
  expect(run.stderr).toBe('mapsync: ENOENT: no such directory: /nonexistent/mapsync\n');
  expect(run.status).toBe(1);
});

it.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)('stopped by %s: exits %i and leaves nothing behind', async (signal, code) => {
  const dir = nextDir();
  const run = startMapsync(['bench', 'sync', '--rounds', '1000000', '--dir', dir]);
  // Stopped once its scratch directory is there and the rounds are running.
  for (let waited = 0; readdirSync(dir).length === 0 && waited < 20_000; waited += 20) await sleep(20);
  expect(readdirSync(dir)).toHaveLength(1);
  await sleep(200);
  run.kill(signal);
  expect((await run.exited).code).toBe(code);
  expect(readdirSync(dir)).toEqual([]);
});
