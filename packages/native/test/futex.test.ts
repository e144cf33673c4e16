// futex wait/wake on a shared file mapping: across unrelated processes, and a
// Promise wait that leaves the event loop running.
import { closeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { map, pageSize } from '../src/index.js';
import { runFixture, scratchDir, sizedFile, waitForLine } from './helpers.js';

const dir = scratchDir();
const path = join(dir, 'futex.dat');
const fd = sizedFile(path, pageSize);
const m = map(fd, { length: pageSize, access: 'readwrite' });
const word = new Int32Array(m.buffer, 0, 16);
afterAll(() => {
  m.unmap();
  closeSync(fd);
});

describe.each(['async', 'sync'])('a waiter in another process (%s wait)', (mode) => {
  it('is woken by futexWake after the word changes', async () => {
    Atomics.store(word, 0, 0);
    const { child, done } = runFixture('futex-waiter.mjs', [path, '0', mode]);
    await waitForLine(child, 'waiting');
    // The child may print before it is inside futex(); keep waking until it answers.
    Atomics.store(word, 0, 7);
    const timer = setInterval(() => {
      m.futexWake(0, 1);
    }, 5);
    const { code, stdout, stderr } = await done;
    clearInterval(timer);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // 'not-equal' when the store won the race with the child's wait: both are correct
    // futex outcomes, and in both the child saw the new value.
    expect(stdout.trim().split('\n').at(-1)).toMatch(/^(ok|not-equal) 7$/);
  });
});

describe('waiting in this process', () => {
  it('returns not-equal at once when the word differs', async () => {
    Atomics.store(word, 1, 5);
    expect(m.futexWaitSync(4, 4)).toBe('not-equal');
    expect(await m.futexWait(4, 4)).toBe('not-equal');
  });

  it('times out', async () => {
    Atomics.store(word, 1, 5);
    expect(m.futexWaitSync(4, 5, { timeoutMs: 10 })).toBe('timed-out');
    expect(await m.futexWait(4, 5, { timeoutMs: 10 })).toBe('timed-out');
  });

  it('keeps the event loop free: timers fire while a Promise wait is pending', async () => {
    Atomics.store(word, 2, 1);
    let ticks = 0;
    const timer = setInterval(() => {
      ticks++;
    }, 2);
    const waiting = m.futexWait(8, 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    Atomics.store(word, 2, 2);
    m.futexWake(8, 1);
    expect(await waiting).toBe('ok');
    clearInterval(timer);
    expect(ticks).toBeGreaterThanOrEqual(5);
  });

  it('many concurrent waits do not occupy the libuv pool', async () => {
    Atomics.store(word, 3, 1);
    // Eight pending waits: more than libuv's four pool threads.
    const waits = Array.from({ length: 8 }, () => m.futexWait(12, 1));
    const other = sizedFile(join(dir, 'pool.dat'), pageSize);
    const mm = map(other, { length: pageSize, access: 'readwrite' });
    new Uint8Array(mm.buffer)[0] = 1;
    // An msync needs a pool thread: it completes even with all waits pending.
    await mm.msync();
    mm.unmap();
    closeSync(other);
    Atomics.store(word, 3, 2);
    m.futexWake(12, 100);
    expect(await Promise.all(waits)).toEqual(Array(8).fill('ok'));
  });

  it('rejects a pending wait with ECLOSED when the mapping is unmapped', async () => {
    const fd2 = sizedFile(join(dir, 'closing.dat'), pageSize);
    const mm = map(fd2, { length: pageSize, access: 'readwrite' });
    const waiting = mm.futexWait(0, 0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    mm.unmap();
    await expect(waiting).rejects.toMatchObject({ code: 'ECLOSED' });
    closeSync(fd2);
  });
});
