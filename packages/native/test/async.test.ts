// The Promise forms run off the event loop: while many dirty pages are written back,
// JavaScript keeps running.
import { closeSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

import { fallocateSync, map } from '../src/index.js';
import { scratchDir, sizedFile } from './helpers.js';

const dir = scratchDir();

it('msync() of 128 MiB of dirty pages leaves the event loop free', async () => {
  const size = 128 * 1024 * 1024;
  const fd = sizedFile(join(dir, 'big-flush.dat'), 0);
  fallocateSync(fd, 0, size);
  const m = map(fd, { length: size, access: 'readwrite' });
  new Uint8Array(m.buffer).fill(0x5a);

  let ticks = 0;
  const timer = setInterval(() => {
    ticks++;
  }, 1);
  const started = performance.now();
  const flushing = m.msync();
  const returnedAfter = performance.now() - started;
  await flushing;
  const settledAfter = performance.now() - started;
  clearInterval(timer);
  m.unmap();
  closeSync(fd);

  // The call returned before the flush was done, and timers ran while it worked.
  expect(returnedAfter).toBeLessThan(settledAfter);
  expect(ticks).toBeGreaterThan(0);
});
