// One side of an IPC benchmark, run in its own process by bench/ipc.mjs.
//   peer.mjs queue-send DIR COUNT GAP_US          send COUNT stamped messages, GAP_US apart
//   peer.mjs queue-recv DIR COUNT SPIN_US         receive COUNT, print one-way latencies
//   peer.mjs queue-recv-blocking DIR COUNT 0      the same, sleeping in waitSync (futex on this thread)
//   peer.mjs queue-flood DIR COUNT                send COUNT messages as fast as possible
//   peer.mjs queue-drain DIR COUNT                receive COUNT, print the rate
//   peer.mjs uds-send PATH COUNT GAP_US | uds-recv PATH COUNT | uds-flood PATH COUNT | uds-drain PATH COUNT
import net from 'node:net';

import { sleepMicros } from '@mapsync/bench-kit';
import { Queue } from '@mapsync/ipc';

const [role, where, countText, extra] = process.argv.slice(2);
const count = Number(countText);
const SIZE = 64;
const now = () => process.hrtime.bigint();

const report = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);

async function queueSend() {
  const queue = Queue.open(where);
  const message = new Uint8Array(SIZE);
  const stamp = new BigInt64Array(message.buffer, 0, 1);
  for (let i = 0; i < count; i++) {
    sleepMicros(Number(extra));
    stamp[0] = now();
    queue.append(message);
    // Let the event loop breathe between sends, as a real producer would.
    if (i % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  queue.close();
}

async function queueRecv(blocking) {
  const queue = Queue.open(where);
  const tailer = queue.tailer({ from: 'end', spinMicros: Number(extra) });
  process.stdout.write('ready\n');
  const latencies = new Float64Array(count);
  for (let got = 0; got < count; ) {
    const record = tailer.read();
    if (record === undefined) {
      if (blocking) tailer.waitSync();
      else await tailer.wait();
      continue;
    }
    const sent = new BigInt64Array(record.buffer, record.byteOffset, 1)[0];
    latencies[got++] = Number(now() - sent) / 1000;
  }
  report({ latencies: Array.from(latencies) });
  queue.close();
}

function queueFlood() {
  const queue = Queue.open(where);
  const batch = Array.from({ length: 64 }, () => new Uint8Array(SIZE));
  for (let sent = 0; sent < count; sent += batch.length) queue.appendBatch(batch);
  queue.close();
}

async function queueDrain() {
  const queue = Queue.open(where);
  const tailer = queue.tailer({ from: 'beginning' });
  process.stdout.write('ready\n');
  let got = 0;
  let started = 0n;
  const onRecord = () => {};
  while (got < count) {
    const n = tailer.readBatch(4096, onRecord);
    if (n === 0) await tailer.wait();
    else if (got === 0) started = now();
    got += n;
  }
  report({ seconds: Number(now() - started) / 1e9, messages: got });
  queue.close();
}

function udsSend() {
  const socket = net.connect(where);
  const message = Buffer.alloc(SIZE);
  let i = 0;
  const next = () => {
    if (i++ === count) return socket.end();
    sleepMicros(Number(extra));
    message.writeBigInt64LE(now(), 0);
    socket.write(message);
    setImmediate(next);
  };
  socket.on('connect', next);
}

function udsRecv(flood) {
  const latencies = [];
  let got = 0;
  let started = 0n;
  let pending = Buffer.alloc(0);
  const server = net.createServer((socket) => {
    socket.on('data', (chunk) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const whole = Math.floor(pending.length / SIZE);
      if (got === 0) started = now();
      for (let k = 0; k < whole && !flood; k++) latencies.push(Number(now() - pending.readBigInt64LE(k * SIZE)) / 1000);
      got += whole;
      pending = pending.subarray(whole * SIZE);
      if (got >= count) {
        report(flood ? { seconds: Number(now() - started) / 1e9, messages: got } : { latencies });
        server.close();
        socket.destroy();
      }
    });
  });
  server.listen(where, () => process.stdout.write('ready\n'));
}

// One write per message, as an application sending messages would (Node may still
// gather queued writes into one writev).
function udsFlood() {
  const socket = net.connect(where);
  const message = Buffer.alloc(SIZE);
  let sent = 0;
  const pump = () => {
    while (sent < count) {
      sent++;
      if (!socket.write(message)) return socket.once('drain', pump);
    }
    socket.end();
  };
  socket.on('connect', pump);
}

const roles = {
  'queue-send': queueSend,
  'queue-recv': () => queueRecv(false),
  'queue-recv-blocking': () => queueRecv(true),
  'queue-flood': queueFlood,
  'queue-drain': queueDrain,
  'uds-send': udsSend,
  'uds-recv': () => udsRecv(false),
  'uds-flood': udsFlood,
  'uds-drain': () => udsRecv(true),
};
await roles[role]();
