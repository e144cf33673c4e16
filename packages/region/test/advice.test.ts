// Advice and residency: madvise with ranges aligned for the user, destructive advices
// only through adviseDestructive() and only over exactly the pages named, mincore
// residency per page, mlock/munlock.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { openRegionSync, pageSize, type SafeAdvice, type WritableRegion } from '../src/index.js';
import { scratchDir, track, withCode } from './helpers.js';

const dir = scratchDir();
let files = 0;
const fresh = (pages = 16): WritableRegion =>
  track(
    openRegionSync(join(dir, `a${files++}.dat`), {
      mode: 'rw',
      create: true,
      size: pages * pageSize,
    }),
  );

describe('advise', () => {
  it('accepts the safe advices over any range (aligned for the user)', () => {
    const region = fresh();
    for (const advice of ['normal', 'random', 'sequential', 'willneed'] as const) {
      region.advise(advice, { offset: 10, length: 3 * pageSize });
    }
    region.advise('dontdump');
  });

  it('refuses a destructive advice: it has its own method', () => {
    const region = fresh();
    expect(() => {
      region.advise('dontneed' as SafeAdvice);
    }).toThrow(withCode('ERR_DESTRUCTIVE_ADVICE'));
    expect(() => {
      region.advise('nonsense' as SafeAdvice);
    }).toThrow(withCode('ERR_INVALID_ARG_VALUE'));
  });

  it("adviseDestructive('remove') punches a hole: exactly the pages named then read as zeros", async () => {
    const region = fresh(4);
    region.write(0, new Uint8Array(4 * pageSize).fill(9));
    await region.flush();
    region.adviseDestructive('remove', { offset: pageSize, length: pageSize });
    const file = readFileSync(region.path);
    expect(file[pageSize - 1]).toBe(9);
    expect(file.subarray(pageSize, 2 * pageSize).every((b) => b === 0)).toBe(true);
    expect(file[2 * pageSize]).toBe(9);
    expect(region.read(pageSize, 4)).toEqual(new Uint8Array(4));
  });

  it('adviseDestructive is not rounded for the user: an unaligned range is refused', () => {
    const region = fresh();
    expect(() => {
      region.adviseDestructive('dontneed', { offset: 10, length: pageSize });
    }).toThrow(withCode('ERR_UNALIGNED'));
    expect(() => {
      region.adviseDestructive('dontneed', { offset: 0, length: 10 });
    }).toThrow(withCode('ERR_UNALIGNED'));
    region.adviseDestructive('dontneed', { offset: 0, length: pageSize });
  });
});

describe('prefault', () => {
  it('faults the aligned range in, writable on request; a read-only region refuses write', async () => {
    const region = fresh(32);
    region.advise('random'); // no read-ahead: only what prefault touches becomes resident
    await region.prefault({ offset: 4 * pageSize + 10, length: 2 * pageSize });
    const residentPages = (): number[] => [...region.residency().pages].flatMap((r, i) => (r === 1 ? [i] : []));
    expect(residentPages()).toEqual([4, 5, 6]);
    await region.prefault({ offset: 16 * pageSize, length: 4 * pageSize }, { write: true });
    expect(residentPages()).toEqual([4, 5, 6, 16, 17, 18, 19]);
    const readonly = track(openRegionSync(region.path));
    await readonly.prefault();
    await expect(
      (readonly as unknown as WritableRegion).prefault(undefined, { write: true }),
    ).rejects.toThrow(withCode('ERR_INVALID_ARG_VALUE'));
    await expect(region.prefault({ offset: 33 * pageSize, length: 1 })).rejects.toThrow(withCode('ERR_OUT_OF_RANGE'));
  });
});

describe('residency', () => {
  it('reports one entry per page from mincore, and the count resident', () => {
    const region = fresh(8);
    region.adviseDestructive('dontneed', { offset: 0, length: 8 * pageSize });
    region.write(2 * pageSize, new Uint8Array([1]));
    const residency = region.residency();
    expect(residency.offset).toBe(0);
    expect(residency.length).toBe(8 * pageSize);
    expect(residency.pages).toHaveLength(8);
    expect(residency.pages[2]).toBe(1);
    expect(residency.resident).toBe(residency.pages.reduce((a, b) => a + b, 0));
    expect(region.residency({ offset: 2 * pageSize + 5, length: 1 })).toMatchObject({
      offset: 2 * pageSize,
      length: pageSize,
      resident: 1,
    });
  });
});

describe('lock', () => {
  it('mlock keeps the pages resident; munlock releases them', () => {
    const region = fresh(4);
    region.lock({ offset: 100, length: 2 * pageSize });
    expect(region.residency({ offset: 0, length: 3 * pageSize }).resident).toBe(3);
    region.unlock({ offset: 100, length: 2 * pageSize });
  });
});
