// The log's decoder against hostile bytes: random and mutated segments. Opening must
// end in one of two ways — a log whose records are exactly a prefix of what was
// written (never a record that was not), or a clear error with a code — and never a
// crash, a hang, or a read outside the file.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { SimulatedVolume, WriteAheadLog, inspectLog } from '../src/index.js';
import { segmentFileName } from '../src/format.js';

const SEGMENT = 64 * 1024;

async function writtenLog(count: number): Promise<{ volume: SimulatedVolume; payloads: Uint8Array[] }> {
  const volume = new SimulatedVolume();
  const log = WriteAheadLog.open('fuzz', { volume, segmentSize: SEGMENT, markFlushDelayMs: 0 });
  const payloads: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const payload = new Uint8Array(1 + ((i * 37) % 500)).fill(i & 0xff);
    payloads.push(payload);
    log.append(payload);
  }
  await log.commit();
  await log.close();
  return { volume, payloads };
}

function expectPrefixOrError(volume: SimulatedVolume, payloads: Uint8Array[]): void {
  let log: WriteAheadLog;
  try {
    log = WriteAheadLog.open('fuzz', { volume, segmentSize: SEGMENT, repair: true, markFlushDelayMs: 0 });
  } catch (error) {
    expect(error).toMatchObject({ code: expect.stringMatching(/^E[A-Z]+$/) as string });
    return;
  }
  for (const record of log.records()) {
    expect(record.type).toBe('data');
    // Nothing that was never written: each record equals the one appended with its LSN.
    expect(Buffer.from(record.payload).equals(Buffer.from(payloads[record.lsn - 1]!))).toBe(true);
  }
  void log.close();
}

/** A volume holding a copy of `volume`'s segments with `mutate` applied to the first one. */
function mutated(volume: SimulatedVolume, mutate: (bytes: Uint8Array) => void): SimulatedVolume {
  const copy = volume.crash({ next: () => 0.99, below: () => 0, chance: () => false }, { persist: 0 });
  const bytes = copy.open(segmentFileName(1), true).bytes;
  mutate(bytes);
  copy.open(segmentFileName(1), true).flushSync(0, bytes.length);
  return copy;
}

describe('decoding hostile log files', () => {
  it('random bit flips, byte runs and truncated lengths anywhere in a segment', async () => {
    const { volume, payloads } = await writtenLog(150);
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat({ max: SEGMENT - 1 }), value: fc.nat({ max: 255 }), run: fc.nat({ max: 64 }) }), {
          minLength: 1,
          maxLength: 8,
        }),
        (edits) => {
          const copy = mutated(volume, (bytes) => {
            for (const e of edits) bytes.fill(e.value, e.at, Math.min(bytes.length, e.at + 1 + e.run));
          });
          expectPrefixOrError(copy, payloads);
          // Inspection never changes anything and never throws anything but a coded error.
          try {
            inspectLog('fuzz', { volume: copy });
          } catch (error) {
            expect(error).toMatchObject({ code: expect.any(String) as string });
          }
        },
      ),
      { seed: 1234, numRuns: 300 },
    );
  });

  it('a segment of pure noise is refused, not read', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 4096 }), (noise) => {
        const volume = new SimulatedVolume();
        const file = volume.create(segmentFileName(1), SEGMENT, noise);
        file.close();
        expectPrefixOrError(volume, []);
      }),
      { seed: 99, numRuns: 200 },
    );
  });
});
