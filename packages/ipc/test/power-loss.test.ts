// The queue under simulated power loss, on real files. While a workload runs, the test
// keeps what each acknowledged flush guarantees is on disk (a snapshot of every file
// when an append with per-record durability returns); at a "crash", each page written
// since then lands on disk or not, independently, whole or torn at 512-byte sectors —
// what a power cut can leave of mmap'ed pages. The images go into a fresh directory,
// the machine "reboots" (another boot id), and the queue must deliver every
// acknowledged record, byte for byte and in order, and never a torn one.
// IPC_SIM_SEEDS=2000 for a long run; a failure names its seed.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { Queue } from '../src/index.js';
import { decode, encode, scratchDirs } from './helpers.js';

const SEEDS = Number(process.env.IPC_SIM_SEEDS ?? 60);
const SEGMENT = 64 * 1024;
const PAGE = 4096;
const SECTOR = 512;
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
  return new Map(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name))]));
}

/** What a power cut may leave: the durable image plus any subset of newer pages, torn or not. */
function crashImage(durable: Map<string, Buffer>, current: Map<string, Buffer>, next: () => number): Map<string, Buffer> {
  const image = new Map<string, Buffer>();
  for (const [name, now] of current) {
    const before = durable.get(name) ?? Buffer.alloc(now.length);
    const out = Buffer.from(before);
    for (let page = 0; page < now.length; page += PAGE) {
      if (now.subarray(page, page + PAGE).equals(before.subarray(page, page + PAGE)) || next() < 0.5) continue;
      const torn = next() < 0.3;
      for (let s = page; s < Math.min(page + PAGE, now.length); s += SECTOR) {
        if (!torn || next() < 0.5) now.copy(out, s, s, s + SECTOR);
      }
    }
    // A file created after the last flush may not exist at all.
    if (durable.has(name) || next() < 0.5) image.set(name, out);
  }
  return image;
}

function runSeed(seed: number): void {
  const next = random(seed);
  const dir = nextDir();
  const durableQueue = Queue.open(dir, { segmentSize: SEGMENT, durability: 'record' });
  const casualQueue = Queue.open(dir, { segmentSize: SEGMENT });
  const acknowledged: string[] = [];
  const written = new Set<string>();
  let durable = snapshot(dir);
  for (let i = 0, n = 20 + Math.floor(next() * 200); i < n; i++) {
    const text = `${seed}:${i}:${'x'.repeat(Math.floor(next() * 900))}`;
    written.add(text);
    if (next() < 0.6) {
      durableQueue.append(encode(text)); // flushed from the durable point up to it
      acknowledged.push(text);
      durable = snapshot(dir);
    } else {
      casualQueue.append(encode(text)); // page cache only
    }
  }
  const current = snapshot(dir);
  durableQueue.close();
  casualQueue.close();

  const rebooted = nextDir();
  mkdirSync(rebooted);
  for (const [name, bytes] of crashImage(durable, current, next)) writeFileSync(join(rebooted, name), bytes);
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
  it(`per-record durability keeps every acknowledged record across ${SEEDS} seeded crashes`, () => {
    for (let seed = 1; seed <= SEEDS; seed++) runSeed(seed);
  }, 120_000);
});
