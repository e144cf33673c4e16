// One side of an IPC benchmark, run in its own process by bench/ipc.mjs.
//   peer.mjs queue-send DIR COUNT GAP_US          send COUNT stamped messages, GAP_US apart
//   peer.mjs queue-recv DIR COUNT SPIN_US         receive COUNT, print one-way latencies
//   peer.mjs queue-recv-blocking DIR COUNT 0      the same, sleeping in waitSync (futex on this thread)
//   peer.mjs queue-flood DIR COUNT                send COUNT messages as fast as possible, print the CPU used
//   peer.mjs queue-drain DIR COUNT [NICE]         receive COUNT, print the rate and CPU used (at nice NICE)
//   peer.mjs uds-send PATH COUNT GAP_US | uds-recv PATH COUNT | uds-flood PATH COUNT | uds-drain PATH COUNT
//   peer.mjs queue-pong DIR HOW | queue-ping DIR COUNT HOW
//                                                 ping-pong over two queues (DIR/ping, DIR/pong): the
//                                                 pinger prints half of each round trip; HOW is how
//                                                 both sides wait: wait | waitSync | spin
//   peer.mjs uds-pong PATH | uds-ping PATH COUNT   the same over a Unix domain socket
//   peer.mjs bell-pong DIR COUNT | bell-ping DIR COUNT  the same through two bare doorbells, no
//                                                 queue: how fast Node's event loop wakes at best
//   peer.mjs futex-pong FILE COUNT | futex-ping FILE COUNT  the same through one futex word of a
//                                                 shared mapping, no queue: what waitSync() sleeps on
import { closeSync, ftruncateSync, mkdirSync, openSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { sleepMicros } from '@mapsync/bench-kit';
import { Queue } from '@mapsync/ipc';
import { Doorbell, map } from '@mapsync/native';

const [role, where, countText, extra] = process.argv.slice(2);
const count = Number(countText);
const SIZE = 64;
const now = () => process.hrtime.bigint();
/** Long enough that a spinning tailer never falls asleep between two messages. */
const SPIN_MICROS = 10_000_000;

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

/** A flood's first message carries when the flood began (the clock every process shares). */
const stampStart = (message) => new DataView(message.buffer, message.byteOffset).setBigInt64(0, now(), true);
const startOf = (bytes, offset) => new DataView(bytes.buffer, bytes.byteOffset + offset, 8).getBigInt64(0, true);

/** CPU time this process (every thread of it) has used, in µs. */
const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

function queueFlood() {
  const queue = Queue.open(where);
  const batch = Array.from({ length: 64 }, () => new Uint8Array(SIZE));
  const cpuBefore = cpuMicros();
  stampStart(batch[0]);
  queue.appendBatch(batch);
  batch[0].fill(0);
  for (let sent = batch.length; sent < count; sent += batch.length) queue.appendBatch(batch);
  // The thread-pool thread that faults segments in ahead of the appends counts too.
  report({ cpuMicros: cpuMicros() - cpuBefore, messages: count });
  queue.close();
}

// Times from the flood's start, stamped in its first message, to the last record: a
// consumer that starts reading late (at a lower priority, say) and then drains a
// backlog is not credited with a rate it never kept up with.
async function queueDrain() {
  // A consumer may lower its own priority below its producer's (no privilege needed;
  // on Linux this renices the calling thread, the one that reads).
  if (Number(extra ?? 0) > 0) os.setPriority(Number(extra));
  const queue = Queue.open(where);
  const tailer = queue.tailer({ from: 'beginning' });
  process.stdout.write('ready\n');
  const cpuBefore = cpuMicros();
  let got = 0;
  let started = 0n;
  const onFirst = (bytes, offset) => {
    if (started === 0n) started = startOf(bytes, offset);
  };
  const onRecord = () => {};
  while (got < count) {
    const n = tailer.readBatch(4096, got === 0 ? onFirst : onRecord);
    if (n === 0) await tailer.wait();
    got += n;
  }
  report({ seconds: Number(now() - started) / 1e9, messages: got, cpuMicros: cpuMicros() - cpuBefore });
  queue.close();
}

/** Half of each round trip, in µs: one way, without trusting two clocks to agree. */
const halves = (roundTrips) => ({ latencies: Array.from(roundTrips, (t) => t / 2) });

/** Waits for the tailer's next record as `how` says, then returns it. */
async function nextRecord(tailer, how) {
  for (;;) {
    const record = tailer.read();
    if (record !== undefined) return record;
    if (how === 'waitSync') tailer.waitSync();
    else await tailer.wait();
  }
}

function pingPongQueues(dir, how) {
  const ping = Queue.open(path.join(dir, 'ping'));
  const pong = Queue.open(path.join(dir, 'pong'));
  const spinMicros = how === 'spin' ? SPIN_MICROS : 0;
  return { ping, pong, spinMicros, close: () => (ping.close(), pong.close()) };
}

// Echoes every message from DIR/ping into DIR/pong until an empty one comes.
async function queuePong() {
  const queues = pingPongQueues(where, countText);
  const tailer = queues.ping.tailer({ from: 'beginning', spinMicros: queues.spinMicros });
  process.stdout.write('ready\n');
  for (;;) {
    const record = await nextRecord(tailer, countText);
    if (record.length === 0) break;
    queues.pong.append(record);
  }
  queues.close();
}

async function queuePing() {
  const queues = pingPongQueues(where, extra);
  const tailer = queues.pong.tailer({ from: 'beginning', spinMicros: queues.spinMicros });
  const message = new Uint8Array(SIZE);
  const roundTrips = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const sent = now();
    queues.ping.append(message);
    await nextRecord(tailer, extra);
    roundTrips[i] = Number(now() - sent) / 1000;
  }
  queues.ping.append(new Uint8Array(0));
  report(halves(roundTrips));
  queues.close();
}

// Two FIFO doorbells (DIR/ping.bell, DIR/pong.bell) and nothing else: the wake-up that
// tailer.wait() sleeps on, without the queue around it.
function bells(dir) {
  mkdirSync(dir, { recursive: true });
  const ping = Doorbell.open(path.join(dir, 'ping.bell'));
  const pong = Doorbell.open(path.join(dir, 'pong.bell'));
  return { ping, pong, close: () => (ping.close(), pong.close()) };
}

async function bellPong() {
  const bell = bells(where);
  process.stdout.write('ready\n');
  // Rung COUNT + 1 times: the last ring says the pinger is done.
  for (let i = 0; i <= count; i++) {
    await bell.ping.wait();
    bell.pong.ring();
  }
  bell.close();
}

async function bellPing() {
  const bell = bells(where);
  const roundTrips = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const sent = now();
    bell.ping.ring();
    await bell.pong.wait();
    roundTrips[i] = Number(now() - sent) / 1000;
  }
  bell.ping.ring();
  report(halves(roundTrips));
  bell.close();
}

// One word of a shared file mapping, futex(2) on the main thread: odd values are pings,
// even values pongs, as in wake-floor.c.
function futexWord(file, create) {
  const fd = openSync(file, create ? 'w+' : 'r+');
  if (create) ftruncateSync(fd, 4096);
  const mapping = map(fd, { length: 4096, access: 'readwrite' });
  closeSync(fd);
  const word = new Int32Array(mapping.buffer, 0, 1);
  return {
    waitPast: (seen) => {
      while (Atomics.load(word, 0) === seen) mapping.futexWaitSync(0, seen);
    },
    bump: () => {
      Atomics.add(word, 0, 1);
      mapping.futexWake(0, 1);
    },
    close: () => mapping.unmap(),
  };
}

function futexPong() {
  const word = futexWord(where, true);
  process.stdout.write('ready\n');
  for (let i = 0; i < count; i++) {
    word.waitPast(2 * i);
    word.bump();
  }
  word.close();
}

function futexPing() {
  const word = futexWord(where, false);
  const roundTrips = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const sent = now();
    word.bump();
    word.waitPast(2 * i + 1);
    roundTrips[i] = Number(now() - sent) / 1000;
  }
  report(halves(roundTrips));
  word.close();
}

function udsPong() {
  const server = net.createServer((socket) => {
    socket.on('data', (chunk) => socket.write(chunk));
    socket.on('end', () => {
      socket.end();
      server.close();
    });
  });
  server.listen(where, () => process.stdout.write('ready\n'));
}

function udsPing() {
  const socket = net.connect(where);
  const message = Buffer.alloc(SIZE);
  const roundTrips = new Float64Array(count);
  let i = 0;
  let pending = 0;
  let sent = 0n;
  const send = () => {
    sent = now();
    socket.write(message);
  };
  socket.on('connect', send);
  socket.on('data', (chunk) => {
    // A stream may split or join messages: a round trip ends with the 64th byte back.
    pending += chunk.length;
    if (pending < SIZE) return;
    pending -= SIZE;
    roundTrips[i++] = Number(now() - sent) / 1000;
    if (i < count) return send();
    report(halves(roundTrips));
    socket.end();
  });
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
      if (got === 0 && whole > 0) started = flood ? pending.readBigInt64LE(0) : now();
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
      // The first message says when the flood began (its own buffer: a queued write keeps a reference).
      const next = sent++ === 0 ? Buffer.alloc(SIZE) : message;
      if (next !== message) stampStart(next);
      if (!socket.write(next)) return socket.once('drain', pump);
    }
    socket.end();
  };
  socket.on('connect', pump);
}

const roles = {
  'queue-pong': queuePong,
  'queue-ping': queuePing,
  'uds-pong': udsPong,
  'bell-pong': bellPong,
  'futex-pong': futexPong,
  'futex-ping': futexPing,
  'bell-ping': bellPing,
  'uds-ping': udsPing,
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
