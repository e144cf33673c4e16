// The addon is context-aware: several worker threads load it at once, each with its
// own instance, and a worker that exits with a wait pending does not take the
// process down.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { expect, it } from 'vitest';

import { scratchDir, sizedFile } from './helpers.js';

const dir = scratchDir();

const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, closeSync, readFileSync } = require('node:fs');
const native = require('@mapsync/native');
const fd = openSync(workerData.path, 'r+');
const m = native.map(fd, { length: 4096, access: 'readwrite' });
const text = 'worker ' + workerData.id;
new Uint8Array(m.buffer).set(Buffer.from(text));
m.msyncSync();
const crc = native.crc32c(Buffer.from('123456789'));
const back = readFileSync(workerData.path).subarray(0, text.length).toString();
if (workerData.leaveWaiting) {
  m.futexWait(2048, 0); // never woken: the worker exits with it pending
  parentPort.postMessage({ back, crc });
} else {
  m.unmap();
  closeSync(fd);
  parentPort.postMessage({ back, crc });
}
`;

function runWorker(id: number, leaveWaiting = false): Promise<{ back: string; crc: number }> {
  const path = join(dir, `worker-${id}.dat`);
  sizedFile(path, 4096);
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerSource, { eval: true, workerData: { id, path, leaveWaiting } });
    worker.once('message', (message: { back: string; crc: number }) => {
      resolve(message);
      if (leaveWaiting) void worker.terminate();
    });
    worker.once('error', reject);
  });
}

it('loads in four worker threads at once, each mapping and syncing its own file', async () => {
  const results = await Promise.all([1, 2, 3, 4].map((id) => runWorker(id)));
  expect(results).toEqual([1, 2, 3, 4].map((id) => ({ back: `worker ${id}`, crc: 0xe3069283 })));
});

it('survives a worker terminated while a futex wait is pending', async () => {
  const result = await runWorker(9, true);
  expect(result.back).toBe('worker 9');
  await new Promise((resolve) => setTimeout(resolve, 300));
  // Still alive and able to load more instances afterwards.
  expect((await runWorker(10)).back).toBe('worker 10');
});
