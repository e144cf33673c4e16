import { expect, it } from 'vitest';

import { unifiedPageCache } from '../src/unified-page-cache.js';
import { exampleContexts } from './helpers.js';

const nextContext = exampleContexts();

it('two processes see each other through one page cache, without msync', async () => {
  const context = nextContext();
  const result = await unifiedPageCache(context);
  expect(result.bReadFromA).toBe('written by A into its mapping');
  expect(result.aSawFromB).toBe('written by B with write()');
  expect(result.neverFlushed).toEqual([{ offset: 0, length: 4096 }]);
  expect(result.holds).toBe(true);
});
