import { expect, it } from 'vitest';

import { journalCommit } from '../src/journal-commit.js';
import { exampleContexts } from './helpers.js';

const nextContext = exampleContexts();

it('after the MS_SYNC flush, a second process reading with read() sees the record', async () => {
  const context = nextContext();
  const result = await journalCommit(context);
  expect(result.readByAnotherProcess).toBe('TRANSACTION: debit account=1234 amount=500');
  expect(result.flush).toMatchObject({
    method: 'msync(MS_SYNC) x1',
    ranges: [{ offset: 0, length: 4096 }],
  });
  expect(result.holds).toBe(true);
  expect(context.printed).toContain(
    'Another process, with read(2): TRANSACTION: debit account=1234 amount=500',
  );
});
