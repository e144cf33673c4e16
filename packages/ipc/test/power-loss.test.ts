// The queue under simulated power loss, on real files. While a workload runs, the test
// keeps an image of what the flushes really made durable: every range a region flush
// synced and every msync of queue.meta (recorded as they return, with the bytes they
// synced), and each new file's header (created and fsynced at once by createFileOnce).
// At a "crash", each page written since then lands on disk or not, independently,
// whole or torn at 512-byte sectors — what a power cut can leave of mmap'ed pages. The
// images go into a fresh directory, the machine "reboots" (another boot id), and the
// queue must deliver every acknowledged record, byte for byte and in order, and never
// a torn one. A flush that skips a range, or a durable point that is not itself
// durable, fails it (both were tried).
// IPC_SIM_SEEDS=2000 for a long run; a failure names its seed (the interval runs depend on
// when the timer fires, so one of those may not replay exactly).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Mapping } from '@mapsync/native';
import { createFileOnce, openRegionSync, type ByteRange, type FlushReport } from '@mapsync/region';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { META_SIZE } from '../src/format.js';
import { Queue } from '../src/index.js';
import { decode, encode, scratchDirs } from './helpers.js';

const SEEDS = Number(process.env.IPC_SIM_SEEDS ?? 60);
const SEGMENT = 64 * 1024;
const PAGE = 4096;
const SECTOR = 512;
/** A segment's header (format.ts): written and fsynced when the file is created. */
const SEGMENT_HEADER = 64;
const nextDir = scratchDirs();

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function snapshot(dir: string): Map<string, Buffer> {
  // Regular files only: reading a tailer's doorbell (a FIFO) would block.
  const names = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile());
  return new Map(names.map((e) => [e.name, readFileSync(join(dir, e.name))]));
}

/**
 * Called with what each flush synced: the file, its bytes as they were when the flush
 * was called (a flush running on a thread may sync bytes written meanwhile, or not:
 * only those of before count), the byte ranges it synced, and the call's sequence
 * number (two flushes on threads may finish in either order: a page keeps the bytes of
 * the later call, since a file's bytes here only ever grow newer). Set by the running seed.
 */
let onFlushed: ((path: string, before: Uint8Array, ranges: readonly ByteRange[], call: number) => void) | undefined;
/** The same for queue.meta, which is mapped without a path. */
let onMetaFlushed: ((before: Uint8Array, range: ByteRange, call: number) => void) | undefined;
let flushCalls = 0;
let restoreFlush = (): void => undefined;

beforeAll(() => {
  // Every region flush of the queue goes through these two methods of the region class.
  const probeDir = nextDir();
  mkdirSync(probeDir, { recursive: true });
  const probe = join(probeDir, 'probe.dat');
  createFileOnce(probe, { size: PAGE });
  const region = openRegionSync(probe, { mode: 'rw' });
  const proto = Object.getPrototypeOf(region) as {
    flush(this: { path: string }, options?: object): Promise<FlushReport>;
    flushSync(this: { path: string }, options?: object): FlushReport;
  };
  region.close();
  // Taken off the prototype on purpose, and called with .call(this) below.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const { flush, flushSync } = proto;
  proto.flushSync = function (options) {
    const call = ++flushCalls;
    const before = readFileSync(this.path);
    const report = flushSync.call(this, options);
    onFlushed?.(this.path, before, report.ranges, call);
    return report;
  };
  proto.flush = async function (options) {
    const call = ++flushCalls;
    const before = readFileSync(this.path);
    const report = await flush.call(this, options);
    onFlushed?.(this.path, before, report.ranges, call);
    return report;
  };
  // queue.meta is mapped by the native layer directly, not as a region: its msyncs are
  // seen here. It is the only file of its size (segments are SEGMENT bytes).
  const native = Mapping.prototype;
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const { msync, msyncSync } = native;
  const isMeta = (mapping: Mapping): boolean => mapping.length === META_SIZE;
  native.msyncSync = function (this: Mapping, offset = 0, length = this.length - offset, flags?: number) {
    const call = ++flushCalls;
    const before = isMeta(this) ? this.bytes().slice() : undefined;
    msyncSync.call(this, offset, length, flags);
    if (before !== undefined) onMetaFlushed?.(before, { offset, length }, call);
  };
  native.msync = async function (this: Mapping, offset = 0, length = this.length - offset, flags?: number) {
    const call = ++flushCalls;
    const before = isMeta(this) ? this.bytes().slice() : undefined;
    await msync.call(this, offset, length, flags);
    if (before !== undefined) onMetaFlushed?.(before, { offset, length }, call);
  };
  restoreFlush = () => {
    Object.assign(proto, { flush, flushSync });
    Object.assign(native, { msync, msyncSync });
  };
});
afterAll(() => {
  restoreFlush();
});

/** The durable image of each file, and for each of its pages the flush call it holds. */
interface DurableImage {
  readonly files: Map<string, Buffer>;
  readonly calls: Map<string, Int32Array>;
}

/** Copies `ranges` of `before` (the file's bytes when flush `call` began) into the image. */
function recordFlushed(durable: DurableImage, name: string, before: Uint8Array, ranges: readonly ByteRange[], call: number): void {
  let image = durable.files.get(name);
  if (image === undefined) {
    // Created (and fsynced) by createFileOnce: its header was durable from the start.
    image = Buffer.alloc(before.length);
    image.set(before.subarray(0, SEGMENT_HEADER));
    durable.files.set(name, image);
  }
  let calls = durable.calls.get(name);
  if (calls === undefined) {
    calls = new Int32Array(Math.ceil(image.length / PAGE));
    durable.calls.set(name, calls);
  }
  for (const { offset, length } of ranges) {
    for (let page = Math.floor(offset / PAGE); page * PAGE < offset + length; page++) {
      if ((calls[page] ?? 0) > call) continue; // a later flush's bytes are already there
      calls[page] = call;
      const from = Math.max(page * PAGE, offset);
      const to = Math.min((page + 1) * PAGE, offset + length);
      image.set(before.subarray(from, to), from);
    }
  }
}

/** What a power cut may leave: the durable image plus any subset of newer pages, torn or not. */
function crashImage(durable: Map<string, Buffer>, current: Map<string, Buffer>, next: () => number): Map<string, Buffer> {
  const image = new Map<string, Buffer>();
  for (const [name, now] of current) {
    let before = durable.get(name);
    if (before === undefined) {
      // Never flushed since it was made; createFileOnce made it with its header, durably.
      before = Buffer.alloc(now.length);
      now.copy(before, 0, 0, SEGMENT_HEADER);
    }
    const out = Buffer.from(before);
    for (let page = 0; page < now.length; page += PAGE) {
      if (now.subarray(page, page + PAGE).equals(before.subarray(page, page + PAGE)) || next() < 0.5) continue;
      const torn = next() < 0.3;
      for (let s = page; s < Math.min(page + PAGE, now.length); s += SECTOR) {
        if (!torn || next() < 0.5) now.copy(out, s, s, s + SECTOR);
      }
    }
    // A file created after the last flush may not exist at all (harsher than the real
    // createFileOnce, whose new file is durable at once).
    if (durable.has(name) || next() < 0.5) image.set(name, out);
  }
  return image;
}

/**
 * 'record': appends with per-record durability are acknowledged when they return.
 * 'interval': a queue of { everyMs } durability, whose timer flushes now and then (the
 * image records what those flushes write too), and whose completed `await flush()`
 * acknowledges everything appended before it, by any appender.
 */
async function runSeed(seed: number, mode: 'record' | 'interval'): Promise<void> {
  const next = random(seed);
  const dir = nextDir();
  const durableQueue = Queue.open(dir, {
    segmentSize: SEGMENT,
    durability: mode === 'record' ? 'record' : { everyMs: 1 + Math.floor(next() * 4) },
  });
  const casualQueue = Queue.open(dir, { segmentSize: SEGMENT });
  const acknowledged: string[] = [];
  const written = new Set<string>();
  const pending: string[] = [];
  const durable: DurableImage = { files: snapshot(dir), calls: new Map() };
  onFlushed = (path, before, ranges, call) => {
    recordFlushed(durable, basename(path), before, ranges, call);
  };
  onMetaFlushed = (before, range, call) => {
    recordFlushed(durable, 'queue.meta', before, [range], call);
  };
  for (let i = 0, n = 20 + Math.floor(next() * 200); i < n; i++) {
    const text = `${seed}:${i}:${'x'.repeat(Math.floor(next() * 900))}`;
    written.add(text);
    if (mode === 'record' && next() < 0.6) {
      durableQueue.append(encode(text)); // flushed from the durable point up to it
      acknowledged.push(text);
    } else if (mode === 'record') {
      casualQueue.append(encode(text)); // page cache only
    } else {
      (next() < 0.5 ? durableQueue : casualQueue).append(encode(text));
      pending.push(text);
      if (next() < 0.15) {
        await durableQueue.flush();
        acknowledged.push(...pending.splice(0));
      } else if (next() < 0.05) {
        await new Promise((resolve) => setTimeout(resolve, 3)); // the timer's turn
      }
    }
  }
  const current = snapshot(dir);
  onFlushed = undefined;
  onMetaFlushed = undefined;
  durableQueue.close();
  casualQueue.close();

  const rebooted = nextDir();
  mkdirSync(rebooted);
  for (const [name, bytes] of crashImage(durable.files, current, next)) writeFileSync(join(rebooted, name), bytes);
  const meta = readFileSync(join(rebooted, 'queue.meta'));
  meta.fill(0xee, 32, 48); // another boot id: the page cache did not survive
  writeFileSync(join(rebooted, 'queue.meta'), meta);

  const queue = Queue.open(rebooted, { create: false });
  const tailer = queue.tailer();
  const delivered: string[] = [];
  for (let record = tailer.read(); record !== undefined; record = tailer.read()) delivered.push(decode(record));
  queue.close();
  // Never a torn or invented record: each one delivered is one that was written whole.
  for (const text of delivered) expect(written.has(text), `seed ${seed}: delivered a record never written`).toBe(true);
  // Every acknowledged record, in order.
  const deliveredAcks = delivered.filter((text) => acknowledged.includes(text));

  expect(deliveredAcks, `seed ${seed}: lost an acknowledged record`).toEqual(acknowledged);
}

describe('queue under simulated power loss', () => {
  it(`per-record durability keeps every acknowledged record across ${SEEDS} seeded crashes`, async () => {
    for (let seed = 1; seed <= SEEDS; seed++) await runSeed(seed, 'record');
  }, 120_000);

  it(`interval durability keeps every record a completed flush covered across ${SEEDS} seeded crashes`, async () => {
    for (let seed = 1; seed <= SEEDS; seed++) await runSeed(seed, 'interval');
  }, 120_000);
});
