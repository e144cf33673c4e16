import { expect, it } from 'vitest';

import { asyncLog } from '../src/async-log.js';
import { exampleContexts } from './helpers.js';

const nextContext = exampleContexts();

it('MS_ASYNC leaves the page dirty, read() sees the entry anyway, and fsync makes it durable', async () => {
  const context = nextContext();
  const result = await asyncLog(context);
  expect(result.dirtyAfterAsync).toEqual([{ offset: 0, length: 4096 }]);
  expect(result.readBeforeFsync).toBe(`LOG: process started pid=${process.pid}`);
  expect(result.fsync.method).toBe('msync(MS_ASYNC) x1 + fsync');
  expect(result.dirtyAfterFsync).toEqual([]);
  expect(result.holds).toBe(true);
});
