// Every public method of a region, fed arbitrary values: each call either works or
// throws an error with a code — never a crash, a hang, or an error without a code.
import { join } from 'node:path';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { openRegionSync, pageSize, struct, u32, type Layout } from '../src/index.js';
import { scratchDir } from './helpers.js';

const dir = scratchDir();

function expectCodedOutcome(call: () => unknown): void {
  try {
    const result = call();
    if (result instanceof Promise) {
      result.catch((error: unknown) => expect(error).toMatchObject({ code: expect.any(String) as string }));
    }
  } catch (error) {
    expect(error, String(error)).toMatchObject({ code: expect.stringMatching(/^[A-Z_]+$/) as string });
  }
}

describe('arbitrary arguments', () => {
  it('open, bytes, read, write, get, set, markDirty, flushSync, advise, residency, invalidate, schedule, view, array', () => {
    const path = join(dir, 'fuzz.dat');
    const region = openRegionSync(path, { mode: 'rw', create: true, size: 4 * pageSize });
    const record = struct({ id: u32 });
    const calls: ((a: unknown, b: unknown) => unknown)[] = [
      (a) => {
        openRegionSync(path, a as { mode: 'rw' }).close();
      },
      (a, b) => region.bytes(a as number, b as number),
      (a, b) => region.read(a as number, b as number),
      (a, b) => {
        region.write(a as number, b as Uint8Array);
      },
      (a, b) => region.get(a as Layout, b as number),
      (a, b) => {
        region.set(record, a as number, b as { id: number });
      },
      (a, b) => {
        region.markDirty(a as number, b as number);
      },
      (a) => region.flushSync(a as object),
      (a, b) => {
        region.advise(a as 'normal', b as object);
      },
      (a) => region.residency(a as object),
      (a) => {
        region.invalidate(a as object);
      },
      (a) => {
        region.schedule(a as object);
      },
      (a, b) => region.view(a as typeof record, b as number),
      (a, b) => region.array(a as Layout, b as object),
    ];
    fc.assert(
      fc.property(fc.nat({ max: calls.length - 1 }), fc.anything(), fc.anything(), (which, a, b) => {
        expectCodedOutcome(() => calls[which]!(a, b));
      }),
      { seed: 31, numRuns: 700 },
    );
    region.close();
  });

  it('prefault', async () => {
    const region = openRegionSync(join(dir, 'fuzz-prefault.dat'), { mode: 'rw', create: true, size: 4 * pageSize });
    await fc.assert(
      fc.asyncProperty(fc.anything(), fc.anything(), async (a, b) => {
        try {
          await region.prefault(a as object, b as object);
        } catch (error) {
          expect(error, String(error)).toMatchObject({ code: expect.stringMatching(/^[A-Z_]+$/) as string });
        }
      }),
      { seed: 32, numRuns: 300 },
    );
    region.close();
  });
});
