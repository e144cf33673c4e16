// IPC between two processes through @mapsync/ipc, against a Unix domain socket
// measured in the same run: one-way latency of 64-byte messages (the consumer
// waiting, blocking, and busy-spinning) and throughput one producer to one and to four
// consumers, at the producer's priority and below it.
//
//   node bench/ipc.mjs [--messages 3000] [--warmup 5000] [--flood 5000000] [--json FILE]
//
// Ping-pong (the measure): each side answers the other's message at once; one
// way is half the round trip. Beside them, two bare doorbells and a bare futex word with
// no queue (how fast a Node event loop, and a Node thread, wake at best), and C's own ping-pong (wake-floor.c) through futex(2)
// and through epoll on a pipe: what C gets sleeping the ways the queue does, with
// nothing else in the way.
// Spaced: the producer stamps each message with CLOCK_MONOTONIC, which both processes
// share, and the consumer subtracts on receipt. Messages are sent ~200 µs apart (the
// producer sleeps between them), so the consumer is asleep (or spinning) when each
// arrives, and has been for a while.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { benchDir, compileC, describeMachine, listenerFirst, startPeer, summarize, us } from '@mapsync/bench-kit';

const here = fileURLToPath(new URL('.', import.meta.url));
const { values: opts } = parseArgs({
  options: {
    messages: { type: 'string', default: '3000' },
    warmup: { type: 'string', default: '5000' },
    flood: { type: 'string', default: '5000000' },
    json: { type: 'string' },
  },
});
const messages = Number(opts.messages);
const warmup = Number(opts.warmup);
// Each latency row sends warmup + messages and keeps the last `messages`: until V8 has
// optimized the code on both sides, a round trip through the queue's JavaScript costs
// several µs more (p50 12.8 µs for waitSync over the first 3000, 9.1 µs over 30000).
const sent = String(messages + warmup);
const flood = Number(opts.flood);

const PEER = path.join(here, 'peer.mjs');
const peer = (args) => startPeer(PEER, args);
const pair = (recvArgs, sendArgs) => listenerFirst([PEER, ...recvArgs], [PEER, ...sendArgs], 'listener');
/** A ping-pong: the answering side first, then the pinging side, whose result it is. */
const pingPong = (pongArgs, pingArgs) => listenerFirst([PEER, ...pongArgs], [PEER, ...pingArgs], 'other');

const scratch = benchDir(here);
let n = 0;
const fresh = () => {
  const dir = path.join(scratch.dir, `q${++n}`);
  return dir;
};
const floor = compileC(path.join(here, 'wake-floor.c'), 'wake-floor');
/** Runs C's ping-pong through `how` (futex | epoll), round trips `gap` µs apart: its half round trips. */
const cFloor = (how, gap = 0) =>
  JSON.parse(execFileSync(floor.bin, [how, path.join(scratch.dir, `w${++n}`), sent, String(gap)], { encoding: 'utf8' }));
try {
  const machine = describeMachine(scratch.dir, floor.version);
  const pingPongs = {};
  for (const [label, run] of [
    ['unix socket', () => { const p = path.join(scratch.dir, `s${++n}.sock`); return pingPong(['uds-pong', p], ['uds-ping', p, sent]); }],
    ['queue, consumer waiting (wait())', () => { const d = fresh(); return pingPong(['queue-pong', d, 'wait'], ['queue-ping', d, sent, 'wait']); }],
    ['queue, consumer blocking (waitSync)', () => { const d = fresh(); return pingPong(['queue-pong', d, 'waitSync'], ['queue-ping', d, sent, 'waitSync']); }],
    ['queue, consumer spinning', () => { const d = fresh(); return pingPong(['queue-pong', d, 'spin'], ['queue-ping', d, sent, 'spin']); }],
    ['Node, two bare doorbells, no queue (what wait() sleeps on)', () => { const d = fresh(); return pingPong(['bell-pong', d, sent], ['bell-ping', d, sent]); }],
    ['Node, a bare futex word, no queue (what waitSync sleeps on)', () => { const f = path.join(scratch.dir, `f${++n}`); return pingPong(['futex-pong', f, sent], ['futex-ping', f, sent]); }],
    ['C, futex(2) (how waitSync sleeps)', () => cFloor('futex')],
    ['C, epoll on a pipe (how an event loop sleeps)', () => cFloor('epoll')],
    ['C, futex(2), round trips ~200 µs apart', () => cFloor('futex', 200)],
  ]) {
    pingPongs[label] = summarize([(await run()).latencies.slice(warmup)]);
  }
  const latency = {};
  for (const [label, run] of [
    ['unix socket', () => { const p = path.join(scratch.dir, `s${++n}.sock`); return pair(['uds-recv', p, sent], ['uds-send', p, sent, '200']); }],
    ['queue, consumer waiting (wait())', () => { const d = fresh(); return pair(['queue-recv', d, sent, '0'], ['queue-send', d, sent, '200']); }],
    ['queue, consumer blocking (waitSync)', () => { const d = fresh(); return pair(['queue-recv-blocking', d, sent, '0'], ['queue-send', d, sent, '200']); }],
    ['queue, consumer spinning', () => { const d = fresh(); return pair(['queue-recv', d, sent, '10000000'], ['queue-send', d, sent, '200']); }],
  ]) {
    latency[label] = summarize([(await run()).latencies.slice(warmup)]);
  }
  const throughput = {};
  {
    const p = path.join(scratch.dir, `s${++n}.sock`);
    const r = await pair(['uds-drain', p, String(flood)], ['uds-flood', p, String(flood)]);
    throughput['unix socket, 1 consumer'] = r.messages / r.seconds;
  }
  // One producer to one and to four consumers, at the producer's priority and at the
  // lowest (nice 19: the consumers run when the producer does not need the CPU), in
  // alternating rounds: per-consumer rates, mean over consumers and rounds.
  const fanOuts = [
    ['queue, 1 consumer', 1, 0],
    ['queue, 4 consumers (per consumer, mean)', 4, 0],
    ['queue, 1 consumer at nice 19', 1, 19],
    ['queue, 4 consumers at nice 19 (per consumer, mean)', 4, 19],
  ];
  const rates = new Map(fanOuts.map(([label]) => [label, []]));
  // CPU time (every thread, user and system) per message, in ns: the producer's and each consumer's.
  const cpu = new Map(fanOuts.map(([label]) => [label, { producer: [], consumer: [] }]));
  for (let round = 0; round < 2; round++) {
    for (const [label, count, nice] of fanOuts) {
      // The run before left ~360 MB dirty: written back now, not while this one runs.
      execFileSync('sync');
      const d = fresh();
      const consumers = Array.from({ length: count }, () => peer(['queue-drain', d, String(flood), String(nice)]));
      try {
        await Promise.all(consumers.map((c) => c.ready));
        const [produced] = await peer(['queue-flood', d, String(flood)]).result;
        cpu.get(label).producer.push((produced.cpuMicros * 1000) / produced.messages);
      } catch (error) {
        // The consumers would wait for messages that never come.
        for (const c of consumers) c.kill();
        await Promise.allSettled(consumers.map((c) => c.result));
        throw error;
      }
      for (const [r] of await Promise.all(consumers.map((c) => c.result))) {
        rates.get(label).push(r.messages / r.seconds);
        cpu.get(label).consumer.push((r.cpuMicros * 1000) / r.messages);
      }
      // Each run writes flood x 72 bytes: not kept until the end.
      rmSync(d, { recursive: true, force: true });
    }
  }
  const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
  for (const [label, values] of rates) throughput[label] = mean(values);
  // What two vCPUs allow at best: the producer's and four consumers' CPU per message
  // against the CPUs there are, as a share of the one-to-one rate.
  const fourCpu = cpu.get('queue, 4 consumers (per consumer, mean)');
  const cpuPerMessage = { producer: mean(fourCpu.producer), consumer: mean(fourCpu.consumer) };
  const cpuBound = os.availableParallelism() / ((cpuPerMessage.producer + 4 * cpuPerMessage.consumer) / 1e9) / throughput['queue, 1 consumer'];
  // Each consumer: the slowest of all consumers and rounds.
  const fourRate = (nice) => Math.min(...rates.get(`queue, 4 consumers${nice ? ' at nice 19' : ''} (per consumer, mean)`));
  const perConsumer = (nice) => `the slowest consumer ${Math.round(fourRate(nice)).toLocaleString('en-US')}`;
  const fanOutShare = (nice) =>
    throughput[`queue, 4 consumers${nice ? ' at nice 19' : ''} (per consumer, mean)`] / throughput[`queue, 1 consumer${nice ? ' at nice 19' : ''}`];

  const socket = pingPongs['unix socket'];
  const waiting = pingPongs['queue, consumer waiting (wait())'];
  const spinning = pingPongs['queue, consumer spinning'];
  const blocking = pingPongs['queue, consumer blocking (waitSync)'];
  const cEpoll = pingPongs['C, epoll on a pipe (how an event loop sleeps)'];
  const cFutex = pingPongs['C, futex(2) (how waitSync sleeps)'];
  const bare = pingPongs['Node, two bare doorbells, no queue (what wait() sleeps on)'];
  const bareFutex = pingPongs['Node, a bare futex word, no queue (what waitSync sleeps on)'];
  const spacedSocket = latency['unix socket'];
  const latencyRows = (rows, base) =>
    Object.entries(rows).map(([k, s]) => `| ${k} | ${us(s.p50)} | ${us(s.p99)} | ${us(s.p999)} | ${(base.p50 / s.p50).toFixed(1)}x lower |`);
  const lines = [
    `command: node ${path.relative(process.cwd(), process.argv[1])} ${process.argv.slice(2).join(' ')}`.trim(),
    ...Object.entries(machine).filter(([k]) => k !== 'compiler').map(([k, v]) => `${k}: ${v}`),
    '',
    `One-way latency, ping-pong (half the round trip), 64-byte messages, ${messages} per row after ${warmup} not counted:`,
    '',
    '| path | p50 | p99 | p99.9 | p50 vs socket |',
    '|---|---:|---:|---:|---:|',
    ...latencyRows(pingPongs, socket),
    '',
    `One-way latency, stamped, 64-byte messages ~200 µs apart, ${messages} per row after ${warmup} not counted:`,
    '',
    '| path | p50 | p99 | p99.9 | p50 vs socket |',
    '|---|---:|---:|---:|---:|',
    ...latencyRows(latency, spacedSocket),
    '',
    `Throughput, 64-byte messages, ${flood.toLocaleString('en-US')} sent:`,
    '',
    '| path | messages/s |',
    '|---|---:|',
    ...Object.entries(throughput).map(([k, v]) => `| ${k} | ${Math.round(v).toLocaleString('en-US')} |`),
    '',
    'Targets:',
    `- waiting p50 at least 4x lower than the socket's ping-pong: event loop free ${(socket.p50 / waiting.p50).toFixed(1)}x (${socket.p50 / waiting.p50 >= 4 ? 'met' : 'not met'}), ` +
      `blocking waitSync ${(socket.p50 / blocking.p50).toFixed(1)}x (${socket.p50 / blocking.p50 >= 4 ? 'met' : 'not met'}); ` +
      `in the same run: Node's bare doorbells ${(socket.p50 / bare.p50).toFixed(1)}x, Node's bare futex ${(socket.p50 / bareFutex.p50).toFixed(1)}x, C's epoll ${(socket.p50 / cEpoll.p50).toFixed(1)}x, C's futex ${(socket.p50 / cFutex.p50).toFixed(1)}x`,
    `- spinning p50 under 3 µs: ${us(spinning.p50)} (${spinning.p50 < 3 ? 'met' : 'not met'})`,
    `- >= 5,000,000 messages/s one to one: ${Math.round(throughput['queue, 1 consumer']).toLocaleString('en-US')} (${throughput['queue, 1 consumer'] >= 5e6 ? 'met' : 'not met'})`,
    `- four consumers each >= 80% of the 5,000,000 target (4,000,000 messages/s): ${perConsumer(false)} at the producer's priority (${fourRate(false) >= 4e6 ? 'met' : 'not met'}), ` +
      `${perConsumer(true)} with the consumers at nice 19 (${fourRate(true) >= 4e6 ? 'met' : 'not met'})`,
    `- four consumers each >= 80% of this run's one-to-one rate: at the producer's priority ${(fanOutShare(false) * 100).toFixed(0)}% (${fanOutShare(false) >= 0.8 ? 'met' : 'not met'}), ` +
      `consumers at nice 19 ${(fanOutShare(true) * 100).toFixed(0)}% (${fanOutShare(true) >= 0.8 ? 'met' : 'not met'}); ` +
      `CPU per message with four consumers: producer ${cpuPerMessage.producer.toFixed(0)} ns, each consumer ${cpuPerMessage.consumer.toFixed(0)} ns, ` +
      `so ${os.availableParallelism()} CPUs allow at most ${(cpuBound * 100).toFixed(0)}% of one to one`,
  ];
  console.log(lines.join('\n'));
  if (opts.json !== undefined) writeFileSync(opts.json, JSON.stringify({ machine, pingPong: pingPongs, latency, throughput, cpuPerMessage }, null, 2) + '\n');
} finally {
  floor.dispose();
  scratch.dispose();
}
