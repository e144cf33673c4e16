import { expect, it } from 'vitest';

import { syncInvalidate } from '../src/sync-invalidate.js';
import { exampleContexts } from './helpers.js';

const nextContext = exampleContexts();

it('one MS_SYNC|MS_INVALIDATE call: our record in the file, their update in our mapping', async () => {
  const context = nextContext();
  const result = await syncInvalidate(context);
  expect(result.flush).toMatchObject({ method: 'msync(MS_SYNC|MS_INVALIDATE) x1', bytes: 4096 });
  expect(result.recordInFile).toBe('DB_RECORD: id=42 value=99 checksum=0xDEAD');
  expect(result.externalInMapping).toBe('DB_RECORD: id=43 value=7 (written by another process)');
  expect(result.holds).toBe(true);
});
