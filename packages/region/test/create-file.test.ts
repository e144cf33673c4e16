import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { createFileOnce } from '../src/index.js';
import { scratchDir } from './helpers.js';

const dir = scratchDir();

describe('createFileOnce', () => {
  it('creates a preallocated file with its first bytes, 0600, and leaves no temporary behind', () => {
    const path = join(dir, 'new.dat');
    expect(createFileOnce(path, { size: 8192, initial: new Uint8Array([1, 2, 3]) })).toBe(true);
    const stat = statSync(path);
    expect(stat.size).toBe(8192);
    expect(stat.mode & 0o777).toBe(0o600);
    expect([...readFileSync(path).subarray(0, 4)]).toEqual([1, 2, 3, 0]);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('leaves an existing file untouched and says so', () => {
    const path = join(dir, 'twice.dat');
    createFileOnce(path, { size: 4096, initial: new Uint8Array([7]) });
    expect(createFileOnce(path, { size: 8192, initial: new Uint8Array([9]) })).toBe(false);
    expect(statSync(path).size).toBe(4096);
    expect(readFileSync(path)[0]).toBe(7);
  });

  it('refuses bad options before touching the file system', () => {
    expect(() => createFileOnce(join(dir, 'x'), { size: 0 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(readdirSync(dir)).not.toContain('x');
  });
});
