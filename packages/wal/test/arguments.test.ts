// Every public entry point of the log and the page store, fed arbitrary values: each
// call either works or throws an error with a code — never a crash, never a hang,
// never an error a program cannot switch on.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { PageStore, SimulatedVolume, WriteAheadLog, inspectLog, readLog } from '../src/index.js';

type Call = (value: unknown, other: unknown) => unknown;

async function expectCodedOutcome(call: () => unknown): Promise<void> {
  try {
    const result = call();
    if (result instanceof Promise) await result;
    else if (result !== null && typeof result === 'object' && Symbol.iterator in result) {
      // Generators check their arguments when iterated: drain them.
      Array.from(result as Iterable<unknown>);
    }
  } catch (error) {
    expect(error, String(error)).toMatchObject({ code: expect.stringMatching(/^[A-Z_]+$/) as string });
  }
}

describe('arbitrary arguments', () => {
  it('the log: open, append, commit, records, checkpoint, dropBefore, readLog, inspectLog', async () => {
    const log = WriteAheadLog.open('fuzz', { volume: new SimulatedVolume(), markFlushDelayMs: 0 });
    log.append(new Uint8Array([1, 2, 3]));
    await log.commit();
    const calls: Call[] = [
      (a) => WriteAheadLog.open('fuzz', { volume: new SimulatedVolume(), segmentSize: a as number }),
      (a) => WriteAheadLog.open('fuzz', { ...(a as object), volume: new SimulatedVolume() }),
      // Strings are real paths (it would create them); every other value must be refused.
      (a) => (typeof a === 'string' ? undefined : WriteAheadLog.open(a as string)),
      (a) => log.append(a as Uint8Array),
      (a) => log.commit(a as number),
      (a) => log.records(a as number),
      (a) => log.checkpoint(a as number),
      (a) => log.dropBefore(a as number),
      (a) => readLog(a as string, {}),
      (a) => inspectLog(a as string),
      (a) => PageStore.open('fuzz', { volume: new SimulatedVolume(), size: a as number }),
    ];
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: calls.length - 1 }), fc.anything(), fc.anything(), async (which, a, b) => {
        await expectCodedOutcome(() => calls[which]!(a, b));
      }),
      { seed: 11, numRuns: 600 },
    );
    await log.close();
  });

  it('page store transactions with arbitrary writes', async () => {
    const store = PageStore.open('fuzz', { volume: new SimulatedVolume(), size: 8192, log: { markFlushDelayMs: 0 } });
    await fc.assert(
      fc.asyncProperty(fc.anything(), fc.anything(), async (offset, bytes) => {
        await expectCodedOutcome(() =>
          store.transaction((tx) => {
            tx.write(offset as number, bytes as Uint8Array);
          }),
        );
      }),
      { seed: 12, numRuns: 300 },
    );
    await store.close();
  });
});
