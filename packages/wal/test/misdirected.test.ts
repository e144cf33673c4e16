// guardMisdirectedWrites: the header page's copies of the marks. A misdirected write (a
// device putting a page at the wrong place and reporting success) can destroy the newest
// records page together with every mark in it; these tests place such a fault exactly
// where it hurts and check that the log then refuses to open instead of losing records
// silently, and that the slots never make an intact log look damaged.
import { closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { LogCorruptError, SimulatedVolume, WriteAheadLog, seededRandom, type LogVolume, type SegmentFile } from '../src/index.js';
import { RECORDS_START, decodeSegmentHeader, readMarkSlots, segmentBytes } from '../src/format.js';
import { payloadFor, recordOffset, scratchDir } from './helpers.js';

const nextDir = scratchDir();
const SEGMENT_SIZE = 64 * 1024;

/** The highest durable LSN the mark slots of `name` hold on the simulated disk. */
function durableSlots(volume: SimulatedVolume, name: string): number {
  const bytes = volume.durableBytes(name);
  if (bytes === undefined) throw new Error(`no file ${name}`);
  const header = decodeSegmentHeader(bytes);
  if (!header.ok) throw new Error(`bad header in ${name}`);
  return readMarkSlots(segmentBytes(bytes), header.header.epoch);
}

function segmentNames(volume: LogVolume): string[] {
  return volume
    .list()
    .filter((n) => n.endsWith('.log'))
    .sort();
}

/** Opens the log again; the outcome as the test compares it. */
async function reopen(volume: LogVolume): Promise<{ lastLsn: number } | string> {
  try {
    const log = WriteAheadLog.open('sim', { volume, segmentSize: SEGMENT_SIZE, guardMisdirectedWrites: true });
    const lastLsn = log.lastLsn;
    await log.close();
    return { lastLsn };
  } catch (error) {
    if (error instanceof LogCorruptError) return error.code;
    throw error;
  }
}

/** A SimulatedVolume whose asynchronous flushes finish on a later macrotask, as an msync on the thread pool does. */
class DeferredFlushVolume implements LogVolume {
  constructor(
    readonly inner: SimulatedVolume,
    readonly delayMs = 0,
  ) {}
  get location(): string {
    return this.inner.location;
  }
  list(): string[] {
    return this.inner.list();
  }
  create(name: string, size: number, initial: Uint8Array): SegmentFile {
    return deferred(this.inner.create(name, size, initial), this.delayMs);
  }
  open(name: string, writable: boolean): SegmentFile {
    return deferred(this.inner.open(name, writable), this.delayMs);
  }
  recycle(from: string, name: string, initial: Uint8Array): SegmentFile {
    return deferred(this.inner.recycle(from, name, initial), this.delayMs);
  }
  rename(from: string, to: string): void {
    this.inner.rename(from, to);
  }
  remove(name: string): void {
    this.inner.remove(name);
  }
}

function deferred(file: SegmentFile, delayMs: number): SegmentFile {
  const later = (run: () => void): void => {
    if (delayMs === 0) setImmediate(run);
    else setTimeout(run, delayMs);
  };
  return {
    bytes: file.bytes,
    flush: (offset, length, also) =>
      new Promise<void>((resolve, reject) => {
        later(() => {
          try {
            file.flushSync(offset, length, also);
            resolve();
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      }),
    flushSync: (offset, length, also) => {
      file.flushSync(offset, length, also);
    },
    zeroFromSync: (offset) => {
      file.zeroFromSync(offset);
    },
    syncFileSync: () => {
      file.syncFileSync();
    },
    close: () => {
      file.close();
    },
  };
}

describe('guardMisdirectedWrites', () => {
  it('a stray page over the newest records: refused with the option, an empty log without it', async () => {
    const outcome = async (guardMisdirectedWrites: boolean): Promise<unknown> => {
      const dir = nextDir();
      const log = WriteAheadLog.open(dir, { guardMisdirectedWrites });
      for (let i = 1; i <= 15; i++) {
        log.append(payloadFor(i, 64));
        if (i === 10 || i === 15) await log.commit();
      }
      await log.close();
      // The device put a page of zeros where records 1-15 and every mark proving them were.
      const segment = join(dir, readdirSync(dir).find((n) => n.endsWith('.log'))!);
      const fd = openSync(segment, 'r+');
      writeSync(fd, new Uint8Array(4096), 0, 4096, RECORDS_START);
      closeSync(fd);
      try {
        const again = WriteAheadLog.open(dir);
        const lastLsn = again.lastLsn;
        await again.close();
        return { lastLsn };
      } catch (error) {
        return error;
      }
    };
    // Without the option the loss is silent: this is the gap the option closes.
    expect(await outcome(false)).toEqual({ lastLsn: 0 });
    const refused = await outcome(true);
    expect(refused).toBeInstanceOf(LogCorruptError);
    expect(refused).toMatchObject({ code: 'ECORRUPT', scan: { break: { lsn: 1 }, witnessedDurableLsn: 15 } });
  });

  it('each commit flush carries the slot proving the group before it, in one flush', async () => {
    const volume = new SimulatedVolume();
    const log = WriteAheadLog.open('sim', { volume, guardMisdirectedWrites: true, markFlushDelayMs: 0 });
    const [name] = segmentNames(volume);
    for (let group = 1; group <= 5; group++) {
      const flushes = volume.flushes;
      for (let i = 0; i < 10; i++) log.append(payloadFor(log.lastLsn + 1));
      await log.commit();
      expect(volume.flushes - flushes).toBe(1);
      // What the flush of group N acknowledged past: group N-1, proven on disk by the slot.
      expect(durableSlots(volume, name!)).toBe((group - 1) * 10);
    }
    await log.close();
    expect(durableSlots(volume, name!)).toBe(50);
  });

  it('open writes the recovered state into a slot before anything new is appended', async () => {
    const volume = new SimulatedVolume();
    const log = WriteAheadLog.open('sim', { volume, segmentSize: SEGMENT_SIZE });
    for (let i = 1; i <= 5; i++) log.append(payloadFor(i));
    await log.commit();
    await log.close();
    const [name] = segmentNames(volume);
    expect(durableSlots(volume, name!)).toBe(0);
    const again = WriteAheadLog.open('sim', { volume, segmentSize: SEGMENT_SIZE, guardMisdirectedWrites: true });
    expect(durableSlots(volume, name!)).toBe(5);
    await again.close();
  });

  /**
   * 1,000 committers: the first flush takes 256 of them, the log rolls into a second
   * segment while it runs, and the next flush is cut in half, ending in the first
   * segment. Returns the disk as it is right after that second flush acknowledged its
   * commits, and where the first group's record `prefill + 100` is.
   */
  async function splitAcrossRoll(): Promise<{ image: SimulatedVolume; older: string; newer: string; page: number }> {
    const sim = new SimulatedVolume();
    const log = WriteAheadLog.open('sim', {
      volume: new DeferredFlushVolume(sim),
      segmentSize: SEGMENT_SIZE,
      markFlushDelayMs: 0,
      guardMisdirectedWrites: true,
    });
    const prefill = 300;
    for (let i = 0; i < prefill; i++) log.append(new Uint8Array(16).fill(1));
    await log.commit();
    const acknowledged: number[] = [];
    let atSecondAck: SimulatedVolume | undefined;
    const burst = Array.from({ length: 1000 }, () => {
      const lsn = log.append(new Uint8Array(16).fill(2));
      return log.commit(lsn).then((durable) => {
        if (acknowledged.includes(durable)) return;
        acknowledged.push(durable);
        // Power loss right after the second group's acknowledgement: only what was flushed.
        if (acknowledged.length === 2) atSecondAck = sim.crash(seededRandom(1), { persist: 0 });
      });
    });
    await Promise.all(burst);
    await log.close();
    const image = atSecondAck!;
    const [older, newer] = segmentNames(image);
    expect(newer).toBeDefined();
    // The first group's records are in the older segment; its mark went to the newer one.
    const at = recordOffset(image.open(older!, false).bytes, prefill + 100);
    return { image, older: older!, newer: newer!, page: at - (at % 4096) };
  }

  it('a split group commit that ends in an older segment still flushes the newest slot', async () => {
    const { image, older, page } = await splitAcrossRoll();
    // A stray page lands on one page of the first group's records.
    image.open(older, true).bytes.fill(0, page, page + 4096);
    expect(await reopen(image)).toBe('ECORRUPT');
  });

  it("the newer segment's header page landing on the older one's records is a misdirected write", async () => {
    const { image, older, newer, page } = await splitAcrossRoll();
    // The second flush's header-page write (the only flushed proof of the first group)
    // went to the older segment's records instead of its own place.
    const header = image.open(newer, true).bytes;
    image.open(older, true).bytes.set(header.subarray(0, 4096), page);
    header.fill(0, 512, 1040);
    expect(await reopen(image)).toBe('ECORRUPT');
  });

  it("a copy of the header page among the records is a misdirected write, not a log's end", async () => {
    const volume = new SimulatedVolume();
    const log = WriteAheadLog.open('sim', { volume, guardMisdirectedWrites: true, markFlushDelayMs: 0 });
    const [name] = segmentNames(volume);
    for (let i = 1; i <= 10; i++) log.append(payloadFor(i, 40));
    await log.commit();
    const headerBefore = volume.durableBytes(name!)!.slice(0, 4096);
    for (let i = 11; i <= 15; i++) log.append(payloadFor(i, 40));
    // This flush writes the header page (slot: 10 durable) and the records page.
    await log.commit();
    const image = volume.crash(seededRandom(1), { persist: 0 });
    const file = image.open(name!, true);
    // The device put the header page's write where the records page is, and the header
    // page's own place never got it.
    file.bytes.set(file.bytes.slice(0, 4096), RECORDS_START);
    file.bytes.set(headerBefore, 0);
    expect(await reopen(image)).toBe('ECORRUPT');
  });

  it('a segment header inside an intact record is data, not a misdirected write', async () => {
    const volume = new SimulatedVolume();
    const log = WriteAheadLog.open('sim', { volume, guardMisdirectedWrites: true });
    const [name] = segmentNames(volume);
    // The first record's payload starts at 4096 + 32; this one holds the segment's own
    // header exactly at the next page boundary (8192), as a backup of the log would.
    const payload = new Uint8Array(4128);
    payload.set(volume.durableBytes(name!)!.subarray(0, 64), 8192 - (RECORDS_START + 32));
    log.append(payload);
    await log.commit();
    await log.close();
    expect(await reopen(volume)).toEqual({ lastLsn: 1 });
  });

  it("near a segment's end, where only the seal fits, the slot is the mark and the timer flushes it", async () => {
    const volume = new SimulatedVolume();
    const log = WriteAheadLog.open('sim', { volume, segmentSize: SEGMENT_SIZE, guardMisdirectedWrites: true, markFlushDelayMs: 5 });
    const [name] = segmentNames(volume);
    // One record that fills the segment up to the seal's room: no mark record fits after it.
    log.append(new Uint8Array(log.maxPayload));
    await log.commit();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(durableSlots(volume, name!)).toBe(1);
    await log.close();
  });

  it('a mark the timer finds a flush running for is flushed later, not dropped', async () => {
    const volume = new SimulatedVolume();
    const log = WriteAheadLog.open('sim', {
      volume: new DeferredFlushVolume(volume, 40),
      guardMisdirectedWrites: true,
      markFlushDelayMs: 5,
    });
    const [name] = segmentNames(volume);
    log.append(payloadFor(1));
    const slow = log.commit(); // its flush takes 40 ms
    await new Promise((resolve) => setImmediate(resolve));
    log.append(payloadFor(2));
    // Durable at once; its mark (slot: 2) is written, and the timer fires while the slow
    // flush still runs. That flush, covering less, writes no mark of its own.
    expect(log.commitSync()).toBe(2);
    await slow;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(durableSlots(volume, name!)).toBe(2);
    await log.close();
  });

  it('a repair clears the slots: the LSNs it gives up are reused without a false alarm', async () => {
    const dir = nextDir();
    const log = WriteAheadLog.open(dir, { guardMisdirectedWrites: true });
    for (let i = 1; i <= 100; i++) {
      log.append(payloadFor(i, 64));
      if (i % 10 === 0) await log.commit();
    }
    await log.close();
    const segment = join(dir, readdirSync(dir).find((n) => n.endsWith('.log'))!);
    const at = recordOffset(readFileSync(segment), 50) + 40;
    const fd = openSync(segment, 'r+');
    writeSync(fd, new Uint8Array([0xff]), 0, 1, at);
    closeSync(fd);
    expect(() => WriteAheadLog.open(dir, { guardMisdirectedWrites: true })).toThrow(LogCorruptError);

    // Repaired, and written on, without the option: nothing rewrites the slots, which
    // said LSN 100 was durable (recovery reads them with or without the option).
    const repaired = WriteAheadLog.open(dir, { repair: true });
    expect(repaired.lastLsn).toBe(49);
    for (let i = 50; i <= 55; i++) repaired.append(payloadFor(i, 64));
    await repaired.close();
    const again = WriteAheadLog.open(dir);
    expect(again.recovery).toMatchObject({ verdict: 'clean', lastLsn: 55 });
    await again.close();
  });
});
