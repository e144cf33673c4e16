// The IPC paths that packages/ipc/bench/peer.mjs does not cover, each run in a process
// of its own by measure.ts: Node.js's worker_threads and child_process channels, and
// a one-message-per-call sender for the queue (peer.mjs sends in batches of 64).
//
//   node-peers.mjs worker-latency COUNT GAP_US   main thread -> worker, one-way latencies
//   node-peers.mjs child-latency COUNT GAP_US    parent -> forked child, one-way latencies
//   node-peers.mjs worker-flood COUNT            main thread -> worker, messages/s
//   node-peers.mjs child-flood COUNT             parent -> forked child, messages/s
//   node-peers.mjs queue-flood-one DIR COUNT     queue.append() per message (drain: peer.mjs)
//
// As in peer.mjs: 64-byte messages, the sender stamps each with process.hrtime (the
// monotonic clock every process and thread shares), the receiver subtracts on receipt,
// and one JSON line on stdout is the result.
import { fork } from 'node:child_process';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

import { sleepMicros } from '@mapsync/bench-kit';
import { Queue } from '@mapsync/ipc';

const SIZE = 64;
const now = () => process.hrtime.bigint();
const report = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function stamped() {
  const message = new Uint8Array(SIZE);
  new DataView(message.buffer).setBigInt64(0, now(), true);
  return message;
}

// A DataView: a deserialized message may sit at any offset of its buffer.
const sentAt = (message) =>
  new DataView(message.buffer, message.byteOffset, 8).getBigInt64(0, true);

/**
 * The receiving side, the same for a worker and a child: says 'ready' once it listens,
 * then `latency` records one-way latencies of `count` messages, `flood` times `count`
 * messages from the first to the last.
 */
function receive(mode, count, onMessage, send) {
  const latencies = new Float64Array(mode === 'latency' ? count : 0);
  let got = 0;
  let started = 0n;
  onMessage((message) => {
    if (mode === 'latency') latencies[got] = Number(now() - sentAt(message)) / 1000;
    else if (got === 0) started = now();
    if (++got === count) {
      send(
        mode === 'latency'
          ? { latencies: Array.from(latencies) }
          : { seconds: Number(now() - started) / 1e9, messages: got },
      );
    }
  });
  send('ready');
}

/** The first message from the receiver says it listens; the second is its result. */
function readyThenResult(on) {
  let resolveReady;
  const ready = new Promise((resolve) => (resolveReady = resolve));
  const result = new Promise((resolve) =>
    on((message) => (message === 'ready' ? resolveReady() : resolve(message))),
  );
  return { ready, result };
}

/** Sends `count` messages ~gap µs apart, yielding to the event loop between sends. */
async function sendSpaced(count, gap, send) {
  for (let i = 0; i < count; i++) {
    sleepMicros(gap);
    send(stamped());
    await nextTurn();
  }
}

async function workerPair(mode, count, gap) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { mode, count } });
  const { ready, result } = readyThenResult((handler) => worker.on('message', handler));
  await ready;
  if (mode === 'latency') await sendSpaced(count, gap, (m) => worker.postMessage(m));
  else for (let i = 0; i < count; i++) worker.postMessage(new Uint8Array(SIZE));
  report(await result);
  await worker.terminate();
}

async function childPair(mode, count, gap) {
  // 'advanced' serialization carries the Uint8Array as bytes (JSON would spell it out).
  const child = fork(new URL(import.meta.url), ['child-receive', mode, String(count)], {
    serialization: 'advanced',
  });
  const { ready, result } = readyThenResult((handler) => child.on('message', handler));
  await ready;
  if (mode === 'latency') await sendSpaced(count, gap, (m) => child.send(m));
  else {
    // Bounded in flight: wait for the channel to take each thousandth message.
    const message = new Uint8Array(SIZE);
    for (let i = 0; i < count; i++) {
      if (i % 1000 === 999) await new Promise((resolve) => child.send(message, resolve));
      else child.send(message);
    }
  }
  report(await result);
  child.disconnect();
}

function queueFloodOne(dir, count) {
  const queue = Queue.open(dir);
  // The first message says when the flood began: peer.mjs's queue-drain times from it.
  queue.append(stamped());
  const message = new Uint8Array(SIZE);
  for (let i = 1; i < count; i++) queue.append(message);
  queue.close();
}

if (!isMainThread) {
  receive(
    workerData.mode,
    workerData.count,
    (handler) => parentPort.on('message', handler),
    (result) => parentPort.postMessage(result),
  );
} else {
  const [role, ...args] = process.argv.slice(2);
  const roles = {
    'worker-latency': () => workerPair('latency', Number(args[0]), Number(args[1])),
    'child-latency': () => childPair('latency', Number(args[0]), Number(args[1])),
    'worker-flood': () => workerPair('flood', Number(args[0]), 0),
    'child-flood': () => childPair('flood', Number(args[0]), 0),
    'child-receive': () =>
      receive(
        args[0],
        Number(args[1]),
        (handler) => process.on('message', handler),
        (result) => process.send(result),
      ),
    'queue-flood-one': () => queueFloodOne(args[0], Number(args[1])),
  };
  const run = roles[role];
  if (run === undefined) {
    console.error(`unknown role ${role}; roles: ${Object.keys(roles).join(', ')}`);
    process.exit(2);
  }
  await run();
}
