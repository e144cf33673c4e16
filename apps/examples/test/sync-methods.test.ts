import { expect, it } from 'vitest';

import { syncMethods } from '../src/sync-methods.js';
import { exampleContexts } from './helpers.js';

const nextContext = exampleContexts();

// Timings are printed, never asserted: what is checked is what each method did.
it('each of the three methods leaves the page durable, with the calls the guide names', () => {
  const context = nextContext();
  const result = syncMethods(context, { rounds: 5 });
  expect(result.methods.map((m) => [m.method, m.samples, m.alwaysClean])).toEqual([
    ['msync(MS_SYNC) x1', 5, true],
    ['msync(MS_ASYNC) x1 + fsync', 5, true],
    ['msync(MS_ASYNC) x1 + fdatasync', 5, true],
  ]);
  expect(result.holds).toBe(true);
  expect(context.printed.filter((line) => line.includes('median'))).toHaveLength(3);
});
