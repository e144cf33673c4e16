import { expect, it } from 'vitest';

import { invalidate } from '../src/invalidate.js';
import { exampleContexts } from './helpers.js';

const nextContext = exampleContexts();

it("the mapping shows another process's write(), before and after MS_INVALIDATE", async () => {
  const context = nextContext();
  const result = await invalidate(context);
  expect(result.before).toBe('INITIAL DATA');
  expect(result.afterWriteBeforeInvalidate).toBe('UPDATED BY WRITER');
  expect(result.afterInvalidate).toBe('UPDATED BY WRITER');
  expect(result.holds).toBe(true);
  expect(context.printed).toContain("After MS_INVALIDATE: 'UPDATED BY WRITER'");
});
