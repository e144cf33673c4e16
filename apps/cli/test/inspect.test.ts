import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

import { json, mapsync, scratchDirs } from './helpers.js';

const nextDir = scratchDirs();

it('reports size, pages and resident pages of a file just written (so in the page cache)', () => {
  const file = join(nextDir(), 'data.bin');
  writeFileSync(file, new Uint8Array(3 * 4096 + 10).fill(7));
  readFileSync(file);
  const run = mapsync(['inspect', file]);
  expect(run.stdout).toContain(`file      ${file}`);
  expect(run.stdout).toContain('size      12298 bytes (12.0 KiB)');
  expect(run.stdout).toContain('pages     4 of 4096 bytes');
  expect(run.stdout).toContain('resident  4 pages (100.0%) in the page cache');
  expect(run.status).toBe(0);
});

it('--json: { path, size, pageSize, pages, resident }', () => {
  const file = join(nextDir(), 'data.bin');
  writeFileSync(file, new Uint8Array(8192));
  const run = mapsync(['inspect', file, '--json']);
  expect(json(run)).toEqual({ path: file, size: 8192, pageSize: 4096, pages: 2, resident: 2 });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
});

it('an empty file has no pages', () => {
  const file = join(nextDir(), 'empty');
  writeFileSync(file, '');
  expect(json(mapsync(['inspect', file, '--json']))).toMatchObject({
    size: 0,
    pages: 0,
    resident: 0,
  });
});

it('a missing file: ENOENT, exit 1', () => {
  const missing = join(nextDir(), 'nope');
  const run = mapsync(['inspect', missing]);
  expect(run.stderr).toBe(`mapsync: ENOENT: no such file: ${missing}\n`);
  expect(run.stdout).toBe('');
  expect(run.status).toBe(1);
});

it('a directory: EISDIR, exit 1', () => {
  const dir = nextDir();
  const run = mapsync(['inspect', dir, '--json']);
  expect(run.stderr).toBe(`mapsync: EISDIR: ${dir} is a directory, not a file\n`);
  expect(run.stdout).toBe('');
  expect(run.status).toBe(1);
});
