import { expect, it } from 'vitest';

import { pageAlignment } from '../src/page-alignment.js';
import { exampleContexts } from './helpers.js';

const nextContext = exampleContexts();

it('an unaligned raw msync is a RangeError ERR_UNALIGNED with no syscall; the region aligns and reports', () => {
  const context = nextContext();
  const result = pageAlignment(context);
  expect(result.unaligned).toMatchObject({
    name: 'RangeError',
    code: 'ERR_UNALIGNED',
    syscall: undefined,
  });
  expect(result.roundedByHand).toEqual({ from: 5000, to: 4096 });
  expect(result.regionFlushes.map((flush) => flush.synced)).toEqual([
    [{ offset: 4096, length: 4096 }],
    [{ offset: 0, length: 8192 }],
    [{ offset: 0, length: 12288 }],
  ]);
  expect(result.holds).toBe(true);
});
