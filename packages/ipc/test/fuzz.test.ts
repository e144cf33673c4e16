// The queue's reader against hostile bytes: whatever a damaged or malicious segment
// holds, a tailer returns records that lie inside the segment, or stops, or throws an
// error with a code — never a crash, never a read outside the mapping, never a hang.
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { Queue } from '../src/index.js';
import { segmentFileName } from '../src/format.js';
import { encode, scratchDirs } from './helpers.js';

const nextDir = scratchDirs();
const SEGMENT = 64 * 1024;

describe('reading hostile queue segments', () => {
  it('random overwrites of a segment never crash a tailer or leave the mapping', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.integer({ min: 64, max: SEGMENT - 1 }), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }), {
          minLength: 1,
          maxLength: 6,
        }),
        (edits) => {
          const dir = nextDir();
          const queue = Queue.open(dir, { segmentSize: SEGMENT, deadWriterMs: 0 });
          for (let i = 0; i < 300; i++) queue.append(encode(`record ${i} ${'.'.repeat(i % 40)}`));
          const fd = openSync(join(dir, segmentFileName(0)), 'r+');
          for (const e of edits) writeSync(fd, e.bytes, 0, Math.min(e.bytes.length, SEGMENT - e.at), e.at);
          closeSync(fd);
          const tailer = queue.tailer();
          try {
            for (let n = 0; n < 10_000; n++) {
              const record = tailer.read();
              if (record === undefined) break;
              expect(record.byteOffset + record.length).toBeLessThanOrEqual(SEGMENT);
            }
          } catch (error) {
            expect(error).toMatchObject({ code: expect.stringMatching(/^E[A-Z]+$/) as string });
          } finally {
            queue.close();
          }
        },
      ),
      { seed: 4321, numRuns: 60 },
    );
  });
});
