// The SIGBUS guard: a mapped file truncated under us no longer kills the process.
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { map, pageSize } from '../src/index.js';
import { fixture, scratchDir, sizedFile } from './helpers.js';

const dir = scratchDir();

describe('SIGBUS guard', () => {
  it('survives a read and a write past a truncation, then reports ETRUNCATED', async () => {
    const path = join(dir, 'truncated.dat');
    const fd = sizedFile(path, 4 * pageSize);
    const m = map(fd, { length: 4 * pageSize, access: 'readwrite' });
    const bytes = new Uint8Array(m.buffer);
    bytes.fill(7);
    m.msyncSync();
    // Another process truncates the file to one page.
    const other = spawnSync(process.execPath, ['-e', `require('fs').truncateSync(${JSON.stringify(path)}, ${pageSize})`]);
    expect(other.status).toBe(0);
    expect(m.faulted).toBe(false);
    expect(bytes[0]).toBe(7); // still inside the file
    expect(bytes[2 * pageSize]).toBe(0); // past the end: SIGBUS absorbed, reads as zero
    bytes[3 * pageSize] = 1; // a write past the end completes too (and is lost)
    expect(m.faulted).toBe(true);
    expect(() => {
      m.msyncSync();
    }).toThrow(expect.objectContaining({ code: 'ETRUNCATED' }));
    await expect(m.msync()).rejects.toMatchObject({ code: 'ETRUNCATED' });
    expect(() => m.bytes(0, 16)).toThrow(expect.objectContaining({ code: 'ETRUNCATED' }));
    m.unmap(); // unmapping still works
    closeSync(fd);
  });

  it('leaves other mappings alone', () => {
    const fdA = sizedFile(join(dir, 'a.dat'), 2 * pageSize);
    const fdB = sizedFile(join(dir, 'b.dat'), 2 * pageSize);
    const a = map(fdA, { length: 2 * pageSize, access: 'readwrite' });
    const b = map(fdB, { length: 2 * pageSize, access: 'readwrite' });
    ftruncateSync(fdA, 0);
    expect(new Uint8Array(a.buffer)[pageSize]).toBe(0);
    expect(a.faulted).toBe(true);
    expect(b.faulted).toBe(false);
    expect(() => {
      b.msyncSync();
    }).not.toThrow();
    a.unmap();
    b.unmap();
    closeSync(fdA);
    closeSync(fdB);
  });

  it('keeps the default for a SIGBUS that is not ours: the process still dies of it', () => {
    const result = spawnSync(process.execPath, [fixture('sigbus-elsewhere.mjs')], { encoding: 'utf8' });
    expect(result.stdout).toContain('guard installed');
    expect(result.signal).toBe('SIGBUS');
  });
});
