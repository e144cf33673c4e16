import { expect, it } from 'vitest';

import { partialSync } from '../src/partial-sync.js';
import { exampleContexts } from './helpers.js';

const nextContext = exampleContexts();

// Timings are printed, never asserted.
it('one dirty page of a 1 MiB mapping is synced as one page, the whole mapping as 1 MiB', () => {
  const context = nextContext();
  const result = partialSync(context, { rounds: 3 });
  expect(result.dirtyPage.report).toMatchObject({
    ranges: [{ offset: 512 * 1024, length: 4096 }],
    calls: 1,
    bytes: 4096,
  });
  expect(result.wholeMapping.report).toMatchObject({
    ranges: [{ offset: 0, length: 1024 * 1024 }],
    bytes: 1024 * 1024,
  });
  expect(result.holds).toBe(true);
  expect(context.printed[0]).toMatch(
    /^Synced only 1 page: msync\(MS_SYNC\) x1 over bytes 524288\.\.528384/,
  );
});
