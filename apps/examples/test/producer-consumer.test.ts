import { expect, it } from 'vitest';

import { producerConsumer } from '../src/producer-consumer.js';
import { exampleContexts } from './helpers.js';

const nextContext = exampleContexts();

it('a consumer process reads every record, in order, as the producer syncs it', async () => {
  const context = nextContext();
  const result = await producerConsumer(context, { delayMs: 10 });
  expect(result.consumed).toHaveLength(10);
  expect(result.consumed).toEqual(result.produced);
  expect(result.consumed[9]).toEqual({ id: 10, message: `Record 10 from pid ${process.pid}` });
  // Each 60-byte record is synced as the page holding it (the file's one page, 600 bytes).
  expect(result.flushes[3]).toEqual({
    asked: { offset: 180, length: 60 },
    synced: [{ offset: 0, length: 600 }],
  });
  expect(result.holds).toBe(true);
});
