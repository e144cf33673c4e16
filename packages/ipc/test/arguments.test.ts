// Every public entry point of the queue, fed arbitrary values: each call either works or
// throws an error with a code — never a crash, a hang, or an error without a code.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { Queue } from '../src/index.js';
import { encode, scratchDirs } from './helpers.js';

const nextDir = scratchDirs();

function expectCodedOutcome(call: () => unknown): void {
  try {
    call();
  } catch (error) {
    expect(error, String(error)).toMatchObject({ code: expect.stringMatching(/^[A-Z_]+$/) as string });
  }
}

describe('arbitrary arguments', () => {
  it('open, append, appendBatch, tailer, readBatch, retain, removeTailer', () => {
    const dir = nextDir();
    const queue = Queue.open(dir, { segmentSize: 64 * 1024 });
    queue.appendBatch([encode('one'), encode('two')]);
    const tailer = queue.tailer();
    const calls: ((a: unknown, b: unknown) => unknown)[] = [
      (a) => Queue.open(dir, a as object).close(),
      (a) => Queue.open(nextDir(), { ...(a as object), create: true }).close(),
      (a) => Queue.open(dir, { doorbellRecheckMs: a as number, deadWriterMs: a as number }).close(),
      (a) => queue.append(a as Uint8Array),
      (a) => queue.appendBatch(a as Uint8Array[]),
      (a) => queue.tailer(a as object).close(),
      (a) => queue.tailer({ from: a as number }).close(),
      (a) => queue.tailer({ name: a as string }).close(),
      (a, b) => tailer.readBatch(a as number, b as () => void),
      (a) => tailer.wait(typeof a === 'number' ? Math.min(Math.abs(a), 5) : a as number),
      (a) => queue.retain(a as object),
      (a) => queue.removeTailer(a as string),
    ];
    fc.assert(
      fc.property(fc.nat({ max: calls.length - 1 }), fc.anything(), fc.anything(), (which, a, b) => {
        expectCodedOutcome(() => {
          const result = calls[which]!(a, b);
          // wait() is the one that returns a Promise: it must reject with a code too.
          if (result instanceof Promise) result.catch((error: unknown) => expect(error).toMatchObject({ code: expect.any(String) as string }));
        });
      }),
      { seed: 21, numRuns: 500 },
    );
    queue.close();
  });
});
