import { expect, it } from 'vitest';

import { redoLog } from '../src/redo-log.js';
import { exampleContexts } from './helpers.js';

const nextContext = exampleContexts();

it('after a SIGKILL mid-way, recovery keeps every acknowledged transaction, each whole', async () => {
  const context = nextContext();
  const result = await redoLog(context, { killAfterAcknowledged: 15 });
  expect(result.killedBy).toBe('SIGKILL');
  expect(result.acknowledged).toBeGreaterThanOrEqual(15);
  expect(result.recovered.last).toBeGreaterThanOrEqual(result.acknowledged);
  expect(result.wholeTransactionsOnly).toBe(true);
  expect(result.recovered.balances.reduce((sum, balance) => sum + balance, 0)).toBe(8 * 1000);
  expect(result.holds).toBe(true);
});
