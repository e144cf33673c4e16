// The queue within one process: order, batches, rolling, named cursors, retention,
// abandoned records, reboot recovery, and files that are not what they claim.
import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, openSync, readFileSync, readdirSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

import { Mapping, crc32c, map } from '@mapsync/native';

import { Queue } from '../src/index.js';
import { FORMAT_VERSION, INCOMPLETE, SEGMENT_HEADER_SIZE, segmentFileName } from '../src/format.js';
import { decode, encode, scratchDirs } from './helpers.js';

const nextDir = scratchDirs();
const SEGMENT = 64 * 1024;

function open(dir: string, options: Parameters<typeof Queue.open>[1] = {}): Queue {
  return Queue.open(dir, { segmentSize: SEGMENT, ...options });
}

describe('appending and tailing', () => {
  it('delivers every record once, in order, across segment rolls', () => {
    const queue = open(nextDir());
    const tailer = queue.tailer();
    const sent = Array.from({ length: 5000 }, (_, i) => `message ${i} ${'x'.repeat(i % 50)}`);
    for (const text of sent) queue.append(encode(text));
    const got: string[] = [];
    for (let r = tailer.read(); r !== undefined; r = tailer.read()) got.push(decode(r));
    expect(got).toEqual(sent);
    expect(queue.stats().segments.length).toBeGreaterThan(3);
    queue.close();
  });

  it('reads a batch through one callback, without a view per record', () => {
    const queue = open(nextDir());
    queue.appendBatch([encode('a'), encode('bb'), encode('ccc')]);
    const tailer = queue.tailer();
    const got: string[] = [];
    const count = tailer.readBatch(10, (bytes, offset, length) => got.push(decode(bytes.subarray(offset, offset + length))));
    expect(count).toBe(3);
    expect(got).toEqual(['a', 'bb', 'ccc']);
    queue.close();
  });

  it("starts a tailer at the beginning, at the end, or at a position", () => {
    const queue = open(nextDir());
    const [, second] = queue.appendBatch([encode('one'), encode('two')]);
    expect(decode(queue.tailer({ from: 'beginning' }).read()!)).toBe('one');
    expect(decode(queue.tailer({ from: second! }).read()!)).toBe('two');
    const fromEnd = queue.tailer({ from: 'end' });
    expect(fromEnd.read()).toBeUndefined();
    queue.append(encode('three'));
    expect(decode(fromEnd.read()!)).toBe('three');
    queue.close();
  });

  it('wakes a waiting tailer without blocking the event loop', async () => {
    const queue = open(nextDir());
    const tailer = queue.tailer({ from: 'end' });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 2);
    const waiting = tailer.wait(5_000);
    await new Promise((resolve) => setTimeout(resolve, 60));
    queue.append(encode('wake up'));
    expect(await waiting).toBe(true);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(5);
    expect(decode(tailer.read()!)).toBe('wake up');
    expect(await tailer.wait(20)).toBe(false);
    queue.close();
  });

  it('refuses a record larger than a segment can hold, with a code', () => {
    const queue = open(nextDir());
    expect(() => queue.append(new Uint8Array(SEGMENT))).toThrow(expect.objectContaining({ code: 'ERR_RECORD_TOO_LARGE' }));
    expect(() => queue.append('x' as unknown as Uint8Array)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    queue.close();
  });
});

describe('doorbells', () => {
  it('two waits on one tailer at once both end when a record comes', async () => {
    const queue = open(nextDir());
    const tailer = queue.tailer({ from: 'end' });
    const first = tailer.wait(10_000);
    const second = tailer.wait(10_000);
    await new Promise((resolve) => setTimeout(resolve, 30));
    queue.append(encode('for both'));
    expect(await Promise.all([first, second])).toEqual([true, true]);
    // Both bits are down again: a later wait still works.
    expect(decode(tailer.read()!)).toBe('for both');
    const third = tailer.wait(10_000);
    setTimeout(() => queue.append(encode('again')), 30);
    expect(await third).toBe(true);
    queue.close();
  });

  it('close() ends a wait() sleeping on the futex at once, even before its thread sleeps', async () => {
    // Unrung sleeps would look again only after a minute.
    const queue = open(nextDir(), { doorbellRecheckMs: 60_000 });
    const tailer = queue.tailer({ from: 'end' });
    const onBell = tailer.wait(60_000);
    const onFutex = tailer.wait(60_000);
    const started = Date.now();
    tailer.close();
    expect(await Promise.all([onBell, onFutex])).toEqual([false, false]);
    expect(Date.now() - started).toBeLessThan(5_000);
    queue.close();
  });

  /** Maps queue.meta to see which bit a wait() raised before its first await. */
  function sleepBits(dir: string) {
    const fd = openSync(join(dir, 'queue.meta'), 'r');
    const meta = map(fd, { length: 4096 });
    closeSync(fd);
    const words = new Int32Array(meta.buffer);
    // `doorbells` (offset 60): sleeping on its FIFO; `waiting` (56): on the futex off the loop.
    const how = () => (Atomics.load(words, 60 / 4) !== 0 ? 'doorbell' : Atomics.load(words, 56 / 4) !== 0 ? 'futex' : 'none');
    return { how, unmap: () => meta.unmap() };
  }

  it('wakes a request/response exchange through the doorbell: one record per wait is never a dense stream', async () => {
    const dir = nextDir();
    const queue = open(dir);
    const tailer = queue.tailer({ from: 'end' });
    const bits = sleepBits(dir);
    const armed: string[] = [];
    for (let i = 0; i < 30; i++) {
      // Answers that are there before the wait (a quick peer) are one record per wait too.
      for (let early = 0; early < (i % 3) * 5; early++) {
        queue.append(encode(`early ${early}`));
        expect(await tailer.wait(10_000)).toBe(true);
        expect(decode(tailer.read()!)).toBe(`early ${early}`);
      }
      const woken = tailer.wait(10_000);
      armed.push(bits.how());
      // Answered at once: the wait is over in microseconds, which alone used to count
      // as a dense stream and move the next wait to the slower futex.
      queue.append(encode(`request ${i}`));
      expect(await woken).toBe(true);
      expect(decode(tailer.read()!)).toBe(`request ${i}`);
    }
    expect(armed).toEqual(Array.from({ length: 30 }, () => 'doorbell'));
    bits.unmap();
    queue.close();
  });

  it('sleeps on the futex in a dense stream: many records since a short wait', async () => {
    const dir = nextDir();
    const queue = open(dir);
    const tailer = queue.tailer({ from: 'end' });
    const bits = sleepBits(dir);
    const armed: string[] = [];
    // A wait that finds a record already there ends in microseconds — unless the
    // process is preempted right then, hence a few rounds.
    for (let round = 0; round < 3; round++) {
      queue.append(encode('first'));
      expect(await tailer.wait(10_000)).toBe(true);
      for (let i = 0; i < 15; i++) queue.append(encode(`record ${i}`));
      expect(tailer.readBatch(100, () => undefined)).toBe(16);
      const woken = tailer.wait(10_000);
      armed.push(bits.how());
      queue.append(encode('wake'));
      expect(await woken).toBe(true);
      tailer.read();
    }
    expect(armed).toContain('futex');
    bits.unmap();
    queue.close();
  });

  it('wakes a futex sleeper once per sleep, not once per record', async () => {
    const queue = open(nextDir());
    const tailer = queue.tailer({ from: 'end' });
    const wake = vi.spyOn(Mapping.prototype, 'futexWake');
    try {
      for (let round = 1; round <= 2; round++) {
        // The first wait sleeps on the doorbell, the one beside it on the futex.
        const onBell = tailer.wait(10_000);
        const onFutex = tailer.wait(10_000);
        // The sleeper's thread cannot hand back to this (busy) loop meanwhile, so its
        // bit stays up through all fifty appends.
        for (let i = 0; i < 50; i++) queue.append(encode(`record ${i}`));
        expect(wake).toHaveBeenCalledTimes(round);
        expect(await Promise.all([onBell, onFutex])).toEqual([true, true]);
        expect(tailer.readBatch(100, () => undefined)).toBe(50);
      }
    } finally {
      wake.mockRestore();
      queue.close();
    }
  });

  it('a ring claimed by an appender that died before ringing only delays the tailer', async () => {
    const dir = nextDir();
    const queue = open(dir, { doorbellRecheckMs: 300 });
    const tailer = queue.tailer({ from: 'end' });
    // Slow waits, so the tailer sleeps on its doorbell.
    expect(await tailer.wait(200)).toBe(false);
    const waiting = tailer.wait(20_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Claim every slot's ring, as an appender would just before its write, and die.
    const fd = openSync(join(dir, 'queue.meta'), 'r+');
    const meta = map(fd, { length: 4096, access: 'readwrite' });
    closeSync(fd);
    Atomics.store(new Int32Array(meta.buffer), 88 / 4, -1);
    queue.append(encode('late'));
    expect(await waiting).toBe(true);
    expect(decode(tailer.read()!)).toBe('late');
    meta.unmap();
    queue.close();
  });

  it("makes each FIFO with queue.meta's mode, whatever the umask of the process that makes it", async () => {
    const dir = nextDir();
    const before = process.umask(0o022);
    try {
      open(dir, { fileMode: 0o640 }).close();
      process.umask(0o077);
      const queue = open(dir);
      const tailer = queue.tailer();
      expect(await tailer.wait(20)).toBe(false);
      const bells = readdirSync(dir).filter((n) => n.endsWith('.bell'));
      expect(bells).toHaveLength(1);
      expect(statSync(join(dir, bells[0]!)).mode & 0o777).toBe(0o640);
      expect(statSync(join(dir, 'queue.meta')).mode & 0o777).toBe(0o640);
      queue.close();
    } finally {
      process.umask(before);
    }
  });
});

describe('named tailers and retention', () => {
  it('resumes a named tailer from its last commit after the queue is reopened', () => {
    const dir = nextDir();
    const queue = open(dir);
    queue.appendBatch(['a', 'b', 'c', 'd'].map(encode));
    const billing = queue.tailer({ name: 'billing' });
    billing.read();
    billing.read();
    billing.commit();
    billing.read(); // read but not committed: delivered again after a restart
    queue.close();

    const again = open(dir);
    expect(again.stats().tailers).toEqual([expect.objectContaining({ name: 'billing' })]);
    expect(decode(again.tailer({ name: 'billing' }).read()!)).toBe('c');
    again.close();
  });

  it("places a tailer at the first kept segment's own start after retention", () => {
    const queue = open(nextDir());
    // Eight records of 8,176 bytes (8,184 with their header) fill a segment exactly, so
    // the `next` of a segment's last record is the following segment's offset 0.
    const payloads = Array.from({ length: 17 }, (_, i) => new Uint8Array(8176).fill(i));
    const positions = payloads.map((payload) => queue.append(payload));
    expect(positions[8]).toBe(SEGMENT + SEGMENT_HEADER_SIZE);
    // A named consumer placed in segment 0, now past it.
    const named = queue.tailer({ name: 'resumer', from: positions[2]! });
    for (let i = 2; i < 10; i++) named.read();
    named.commit();
    named.close();
    expect(queue.retain({ keepSegments: 2 })).toBe(1);
    const tailer = queue.tailer({ from: SEGMENT });
    expect(tailer.read()).toEqual(payloads[8]);
    expect(() => queue.tailer({ from: SEGMENT - 8 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    // Started again with the same `from`, long deleted: it resumes where it was.
    const resumed = queue.tailer({ name: 'resumer', from: positions[2]! });
    expect(resumed.read()).toEqual(payloads[10]);
    queue.close();
  });

  it('deletes segments every named tailer has passed, and says so to a tailer left behind', () => {
    const dir = nextDir();
    const queue = open(dir);
    const slow = queue.tailer({ name: 'slow' });
    const anonymous = queue.tailer();
    for (let i = 0; i < 3000; i++) queue.append(encode(`record ${i}`));
    expect(queue.retain({ keepSegments: 1 })).toBe(0); // 'slow' still needs segment 0
    while (slow.read() !== undefined) slow.commit();
    const before = queue.stats().segments.length;
    expect(queue.retain({ keepSegments: 1 })).toBe(before - 1);
    expect(readdirSync(dir).filter((n) => n.endsWith('.seg'))).toHaveLength(1);
    expect(() => anonymous.read()).toThrow(expect.objectContaining({ code: 'ESEGMENTGONE' }));
    expect(decode(queue.tailer({ from: 'beginning' }).read()!)).toMatch(/^record /);
    queue.close();
  });
});

describe('failures', () => {
  it('skips the record of a writer that died mid-record, and nothing after it', async () => {
    const dir = nextDir();
    const queue = open(dir, { deadWriterMs: 100 });
    queue.append(encode('before'));
    // What a writer killed between claim and publish leaves: a claimed word, its pid.
    const deadPid = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']));
    const at = queue.stats().tail % SEGMENT;
    const fd = openSync(join(dir, segmentFileName(0)), 'r+');
    const header = new Uint8Array(8);
    new DataView(header.buffer).setUint32(0, (INCOMPLETE | 10) >>> 0, true);
    new DataView(header.buffer).setUint32(4, deadPid, true);
    writeSync(fd, header, 0, 8, at);
    closeSync(fd);
    const after = queue.append(encode('after'));
    const tailer = queue.tailer();
    expect(decode(tailer.read()!)).toBe('before');
    expect(tailer.read()).toBeUndefined(); // not skipped at once: the writer might be slow
    expect(await tailer.wait(2_000)).toBe(true);
    expect(decode(tailer.read()!)).toBe('after');
    // The abandoned record is padding now, in the middle of the segment: a tailer placed
    // after it is still placed where a record starts.
    for (const from of [after, tailer.position]) {
      const placed = queue.tailer({ from });
      expect(placed.position).toBe(from);
      placed.close();
    }
    expect(decode(queue.tailer({ from: after }).read()!)).toBe('after');
    queue.close();
  });

  it('after a reboot, keeps whole records past the durable point and drops torn ones', () => {
    const dir = nextDir();
    const queue = open(dir, { durability: { everyMs: 3_600_000 } });
    const positions = queue.appendBatch(['kept 1', 'torn', 'kept 2'].map(encode));
    queue.close();
    // The machine "reboots": another boot id, and a torn payload in the second record.
    const segment = join(dir, segmentFileName(0));
    const fd = openSync(segment, 'r+');
    writeSync(fd, encode('XX'), 0, 2, (positions[1]! % SEGMENT) + 8);
    closeSync(fd);
    const metaFd = openSync(join(dir, 'queue.meta'), 'r+');
    writeSync(metaFd, new Uint8Array(16).fill(7), 0, 16, 32);
    closeSync(metaFd);

    const again = open(dir);
    expect(again.recovery).toEqual({ tail: expect.any(Number) as number, kept: 2, dropped: 1 });
    const tailer = again.tailer();
    expect([decode(tailer.read()!), decode(tailer.read()!), tailer.read()]).toEqual(['kept 1', 'kept 2', undefined]);
    // The dropped record became padding between the two: the second is still a start.
    expect(decode(again.tailer({ from: positions[2]! }).read()!)).toBe('kept 2');
    again.close();
  });

  it('refuses a meta file of another format or one that is damaged', () => {
    const dir = nextDir();
    open(dir).close();
    const meta = join(dir, 'queue.meta');
    // An older format (version 1 tailers waited on the futex only) and a newer one.
    for (const version of [FORMAT_VERSION - 1, FORMAT_VERSION + 1]) {
      const header = readFileSync(meta).subarray(0, 32);
      new DataView(header.buffer, header.byteOffset).setUint32(12, version, true);
      new DataView(header.buffer, header.byteOffset).setUint32(0, crc32c(header.subarray(4, 32)), true);
      const fd = openSync(meta, 'r+');
      writeSync(fd, header, 0, 32, 0);
      closeSync(fd);
      expect(() => open(dir)).toThrow(
        expect.objectContaining({ code: 'EFORMAT', message: expect.stringContaining(`has format version ${version}`) as string }),
      );
    }
    const fd2 = openSync(meta, 'r+');
    writeSync(fd2, encode('NOTAQUEU'), 0, 8, 4);
    closeSync(fd2);
    expect(() => open(dir)).toThrow(expect.objectContaining({ code: 'EFORMAT', message: expect.stringContaining('not a mapsync queue') as string }));
  });

  it('never follows a record length that points outside its segment', () => {
    const dir = nextDir();
    const queue = open(dir);
    queue.append(encode('fine'));
    const fd = openSync(join(dir, segmentFileName(0)), 'r+');
    const hostile = new Uint8Array(4);
    new DataView(hostile.buffer).setUint32(0, 0x1fffffff, true); // 512 MiB "payload"
    writeSync(fd, hostile, 0, 4, SEGMENT_HEADER_SIZE);
    closeSync(fd);
    expect(() => queue.tailer().read()).toThrow(expect.objectContaining({ code: 'ECORRUPT' }));
    queue.close();
  });
});

describe('edge cases', () => {
  it('futex sleeps still work once the wake-up word has passed 2^31 (a long-lived queue)', () => {
    const dir = nextDir();
    const queue = open(dir);
    const fd = openSync(join(dir, 'queue.meta'), 'r+');
    const meta = map(fd, { length: 4096, access: 'readwrite' });
    closeSync(fd);
    // `notify` (offset 52) one announce short of 2^31: the next append takes it past.
    Atomics.store(new Int32Array(meta.buffer), 52 / 4, 0x7fffffff);
    meta.unmap();
    const tailer = queue.tailer({ from: 'end' });
    queue.append(encode('past 2^31'));
    expect(decode(tailer.read()!)).toBe('past 2^31');
    // Sleeps on the futex with the word at 2^31: it used to throw ERR_OUT_OF_RANGE.
    expect(tailer.waitSync(20)).toBe(false);
    queue.close();
  });

  it('queue.close() detaches the record views of the segments it still maps', () => {
    const queue = open(nextDir());
    const tailer = queue.tailer();
    queue.append(encode('held'));
    const record = tailer.read()!;
    expect(decode(record)).toBe('held');
    queue.close();
    // Unmapped, not left to the garbage collector: a view can no longer reach it.
    expect(record.length).toBe(0);
  });

  it('a tailer moving on while a flush is awaited: the flush still succeeds', async () => {
    const queue = open(nextDir(), { durability: { everyMs: 3_600_000 } });
    const tailer = queue.tailer();
    for (let i = 0; i < 300; i++) queue.append(new Uint8Array(1000));
    expect(queue.stats().segments.length).toBeGreaterThan(3);
    const flushed = queue.flush();
    // The tailer reads to the last segment: the store lets go of every one before it,
    // the ones the flush has still to go through included, unless the flush holds them.
    expect(tailer.readBatch(1000, () => undefined)).toBe(300);
    await expect(flushed).resolves.toBeUndefined();
    queue.close();
  });

  it('a record handed out stays readable after retention in the same process deletes its segment', () => {
    const queue = open(nextDir());
    const reader = queue.tailer({ name: 'reader' });
    queue.append(encode('kept by the caller'));
    const record = reader.read()!;
    for (let i = 0; i < 300; i++) queue.append(new Uint8Array(1000));
    expect(reader.readBatch(1000, () => undefined)).toBe(300);
    reader.commit();
    expect(queue.retain()).toBeGreaterThan(1);
    expect(decode(record)).toBe('kept by the caller');
    queue.close();
  });

  it('retention in the same process while a flush is awaited: the flush still succeeds', async () => {
    const dir = nextDir();
    const queue = open(dir, { durability: { everyMs: 3_600_000 } });
    const tailer = queue.tailer({ name: 'ahead' });
    for (let i = 0; i < 300; i++) queue.append(new Uint8Array(1000));
    expect(tailer.readBatch(1000, () => undefined)).toBe(300);
    tailer.commit();
    const flushed = queue.flush();
    // Deletes the segments the flush has still to go through.
    expect(queue.retain()).toBeGreaterThan(1);
    await expect(flushed).resolves.toBeUndefined();
    queue.close();
  });

  it('delivers an empty record, and what follows it', () => {
    const queue = open(nextDir());
    queue.appendBatch([new Uint8Array(0), encode('after the empty one')]);
    const tailer = queue.tailer();
    expect(tailer.read()?.length).toBe(0);
    expect(decode(tailer.read()!)).toBe('after the empty one');
    queue.close();
  });

  it('ends a pending wait when the tailer closes, and a for-await when the queue closes', async () => {
    const queue = open(nextDir());
    const tailer = queue.tailer({ from: 'end' });
    const waiting = tailer.wait();
    setTimeout(() => tailer.close(), 30);
    expect(await waiting).toBe(false);
    const looping = (async () => {
      const seen: string[] = [];
      for await (const record of queue.tailer({ from: 'end' })) seen.push(decode(record));
      return seen;
    })();
    setTimeout(() => {
      queue.append(encode('last'));
      setTimeout(() => queue.close(), 30);
    }, 30);
    expect(await looping).toEqual(['last']);
  });

  it('starts a tailer only where a record starts, never inside one that holds header-like bytes', () => {
    const queue = open(nextDir());
    // Payloads full of words that read as published 8-byte records: a tailer started
    // inside one (durability 'none', no checksum) would hand them out as records.
    const fake = new Uint8Array(200);
    const view = new DataView(fake.buffer);
    for (let at = 0; at < fake.length; at += 4) view.setUint32(at, 0x10000008, true);
    const positions: number[] = [];
    // Past the first segment's end: its last record is followed by padding.
    for (let i = 0; positions.length === 0 || positions.at(-1)! < 1.5 * SEGMENT; i++) positions.push(queue.append(fake));
    const inside = (p: number) => () => queue.tailer({ from: p });
    for (const p of [positions[0]! + 8, positions[3]! + 64, positions.at(-1)! + 200]) {
      expect(inside(p)).toThrow(expect.objectContaining({ code: 'ERR_NOT_RECORD_START' }));
    }
    // Inside the padding that ends the first segment, and in the second one's header.
    const lastOfFirst = positions.filter((p) => p < SEGMENT).at(-1)!;
    expect(inside(lastOfFirst + 216)).toThrow(expect.objectContaining({ code: 'ERR_NOT_RECORD_START' }));
    expect(inside(SEGMENT + 8)).toThrow(expect.objectContaining({ code: 'ERR_NOT_RECORD_START' }));
    // Every position append() gave out, the padding's start (the `next` of the first
    // segment's last record), the second segment's own start, and the tail are fine.
    for (const p of [...positions.slice(0, 5), ...positions.slice(-5), lastOfFirst, lastOfFirst + 208]) {
      const tailer = queue.tailer({ from: p });
      expect(tailer.read()).toEqual(fake);
      tailer.close();
    }
    const second = queue.tailer({ from: SEGMENT });
    expect(second.position).toBe(SEGMENT);
    expect(second.read()).toEqual(fake);
    second.close();
    expect(queue.tailer({ from: queue.tailer({ from: 'end' }).position }).read()).toBeUndefined();
    queue.close();
  });

  it('refuses a named tailer open elsewhere (another process, or this one), and a start outside the queue', () => {
    const dir = nextDir();
    const queue = open(dir);
    queue.append(encode('x'));
    const mine = queue.tailer({ name: 'mine' });
    // Open twice in one process, two tailers would share one position and one waiting bit.
    expect(() => queue.tailer({ name: 'mine' })).toThrow(expect.objectContaining({ code: 'EBUSY' }));
    const again = open(dir);
    expect(() => again.tailer({ name: 'mine' })).toThrow(expect.objectContaining({ code: 'EBUSY' }));
    expect(() => queue.removeTailer('mine')).toThrow(expect.objectContaining({ code: 'EBUSY' }));
    expect(() => queue.tailer({ from: 3 })).toThrow(expect.objectContaining({ code: 'ERR_UNALIGNED' }));
    expect(() => queue.tailer({ from: 10 * SEGMENT })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    mine.close();
    again.tailer({ name: 'mine' }).close();
    again.close();
    expect(queue.removeTailer('mine')).toBe(true);
    expect(queue.stats().tailers).toEqual([]);
    queue.close();
  });

  it('refuses to create when told not to, and a meta file too short to map', () => {
    const dir = nextDir();
    expect(() => open(dir, { create: false })).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    open(dir).close();
    const fd = openSync(join(dir, 'queue.meta'), 'r+');
    ftruncateSync(fd, 100);
    closeSync(fd);
    expect(() => open(dir)).toThrow(expect.objectContaining({ code: 'EFORMAT' }));
  });
});

describe('blocking wait', () => {
  it('a futex wake claimed by an appender that died before waking only delays waitSync', async () => {
    const { Worker } = await import('node:worker_threads');
    const dir = nextDir();
    const queue = open(dir, { doorbellRecheckMs: 300 });
    const worker = new Worker(
      `const { Queue } = require('@mapsync/ipc');
       const { parentPort, workerData } = require('node:worker_threads');
       const queue = Queue.open(workerData.dir, { doorbellRecheckMs: 300 });
       const tailer = queue.tailer({ from: 'end' });
       parentPort.postMessage('ready');
       const started = Date.now();
       const woke = tailer.waitSync(20000);
       parentPort.postMessage({ text: woke ? new TextDecoder().decode(tailer.read()) : 'timed out', ms: Date.now() - started });
       queue.close();`,
      { eval: true, workerData: { dir } },
    );
    const result = new Promise<{ text: string; ms: number }>((resolve) => {
      worker.on('message', (m: 'ready' | { text: string; ms: number }) => {
        if (m !== 'ready') return resolve(m);
        setTimeout(() => {
          // Mark every sleeper woken, as an appender does just before it wakes them,
          // and die: the appends that follow see the mark and do not wake.
          const fd = openSync(join(dir, 'queue.meta'), 'r+');
          const meta = map(fd, { length: 4096, access: 'readwrite' });
          closeSync(fd);
          Atomics.store(new Int32Array(meta.buffer), 92 / 4, -1);
          meta.unmap();
          queue.append(encode('late'));
        }, 100);
      });
    });
    const { text, ms } = await result;
    await worker.terminate();
    expect(text).toBe('late');
    // Woken by its own look after doorbellRecheckMs, not by the 20 s timeout.
    expect(ms).toBeLessThan(10_000);
    queue.close();
  }, 30_000);

  it('waitSync in a worker thread is woken by an append from the main thread', async () => {
    const { Worker } = await import('node:worker_threads');
    const dir = nextDir();
    const queue = open(dir);
    const worker = new Worker(
      `const { Queue } = require('@mapsync/ipc');
       const { parentPort, workerData } = require('node:worker_threads');
       const queue = Queue.open(workerData.dir);
       const tailer = queue.tailer({ from: 'end' });
       parentPort.postMessage('ready');
       const woke = tailer.waitSync(10000);
       parentPort.postMessage(woke ? new TextDecoder().decode(tailer.read()) : 'timed out');
       queue.close();`,
      { eval: true, workerData: { dir } },
    );
    const messages: string[] = [];
    const done = new Promise<void>((resolve) => {
      worker.on('message', (m: string) => {
        messages.push(m);
        if (m === 'ready') setTimeout(() => queue.append(encode('for the worker')), 50);
        else resolve();
      });
    });
    await done;
    await worker.terminate();
    expect(messages).toEqual(['ready', 'for the worker']);
    expect(await Promise.resolve(queue.tailer({ from: 'end' }).waitSync(10))).toBe(false);
    queue.close();
  });
});
