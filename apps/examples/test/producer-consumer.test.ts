import { expect, it } from 'vitest';

import { producerConsumer } from '../src/producer-consumer.js';
import { exampleContexts } from './helpers.js';

const nextContext = exampleContexts();

it('a consumer process receives every record, in order, as the producer syncs it', async () => {
  const context = nextContext();
  const result = await producerConsumer(context, { delayMs: 10 });
  const { deliveries } = result;
  expect(deliveries.map((d) => d.record.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  expect(deliveries[9]?.record).toEqual({ id: 10, message: `Record 10 from pid ${process.pid}` });
  for (const [i, delivery] of deliveries.entries()) {
    // What the other process read is the record, at the position append() returned.
    expect(delivery.consumed).toEqual({ ...delivery.record, position: delivery.position });
    // Records follow one another in the queue.
    if (i > 0) expect(delivery.position).toBeGreaterThan(deliveries[i - 1]?.position ?? Infinity);
    // On disk when append() returned: the durable point had reached the end of the queue.
    expect(delivery.durableAfterAppend).toBeGreaterThan(delivery.position);
    expect(delivery.durableAfterAppend).toBe(delivery.tailAfterAppend);
  }
  expect(context.printed).toContain('All records written and synced.');
  expect(result.holds).toBe(true);
});
