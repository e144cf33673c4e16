// IPC: one-way latency and throughput of 64-byte messages through @mapsync/ipc and
// through what Node.js offers instead, every path in the same run, in rounds of
// rotating order. The queue and socket sides are packages/ipc/bench/peer.mjs, run as
// it is; worker_threads, child_process and the queue's one-per-call sender are
// node-peers.mjs; C's own ping-pong, sleeping the ways the queue does with nothing
// else in the way, is packages/ipc/bench/wake-floor.c.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { compileC, listenerFirst, startPeer, summarize, type Summary } from '@mapsync/bench-kit';

import { inTurn, settleDisk, type BenchContext } from '../../context.js';
import { packageFile } from '../../scripts.js';

export const MESSAGE_BYTES = 64;
/** Between two latency messages, so the receiver is asleep (or spinning) when one lands. */
const GAP_MICROS = 200;
/**
 * Messages sent and not counted at the start of each latency run: connection set-up,
 * first faults, and above all V8 optimizing both sides' code. Until then a queue
 * ping-pong took 12-13 µs one way instead of 7.6, and a socket's 21-23 instead of 11.5
 * (both settle after ~2000 round trips).
 */
const WARMUP_MESSAGES = 3000;
/** Long enough that a spinning tailer never falls asleep between two messages. */
const SPIN_MICROS = 10_000_000;

interface Described {
  readonly id: string;
  readonly label: string;
  /** How the receiver learns a message arrived. */
  readonly receiver: string;
  readonly durability: string;
}

export interface IpcData {
  readonly messageBytes: number;
  /** Ping-pong: one way is half of each round trip (absent from runs before it was measured). */
  readonly pingPong?: {
    readonly rounds: number;
    readonly messagesPerRound: number;
    /** Sent before the counted ones (absent: 50, from runs before the warm-up grew). */
    readonly warmupMessages?: number;
    readonly compiler: string;
    readonly paths: readonly (Described & { readonly summary: Summary })[];
  };
  readonly latency: {
    readonly rounds: number;
    readonly messagesPerRound: number;
    readonly warmupMessages?: number;
    readonly gapMicros: number;
    readonly paths: readonly (Described & { readonly summary: Summary })[];
  };
  readonly throughput: {
    readonly rounds: number;
    readonly paths: readonly (Described & {
      readonly messages: number;
      readonly seconds: number;
      /** Several consumers: the slowest one's rate over all runs (absent before it was kept). */
      readonly slowest?: number;
    })[];
  };
}

const PEER = packageFile('@mapsync/ipc', 'bench/peer.mjs');
const WAKE_FLOOR = packageFile('@mapsync/ipc', 'bench/wake-floor.c');
const NODE_PEERS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'node-peers.mjs');

const QUEUE_DURABILITY =
  "page cache only (durability 'none'): survives the processes, not a power loss";
const MEMORY_ONLY = 'none: in memory, gone with the process';

type Command = readonly [string, ...string[]];

const receiverThenSender = (receiver: Command, sender: Command) =>
  listenerFirst(receiver, sender, 'listener');

/** Both sides in one process tree (a worker, a forked child): its result. */
const selfContained = async (script: string, args: readonly string[]): Promise<unknown> =>
  (await startPeer(script, args).result)[0];

interface LatencyPath extends Described {
  run(where: string, count: number): Promise<unknown>;
}

const latencyPaths: readonly LatencyPath[] = [
  {
    id: 'queue-waiting',
    label: '@mapsync/ipc queue, tailer waiting',
    receiver: 'its doorbell (a FIFO) polled by the event loop; the futex in dense streams',
    durability: QUEUE_DURABILITY,
    run: (dir, n) =>
      receiverThenSender(
        [PEER, 'queue-recv', dir, String(n), '0'],
        [PEER, 'queue-send', dir, String(n), String(GAP_MICROS)],
      ),
  },
  {
    id: 'queue-spinning',
    label: '@mapsync/ipc queue, tailer spinning',
    receiver: 'busy-spins on the queue (holds a core)',
    durability: QUEUE_DURABILITY,
    run: (dir, n) =>
      receiverThenSender(
        [PEER, 'queue-recv', dir, String(n), String(SPIN_MICROS)],
        [PEER, 'queue-send', dir, String(n), String(GAP_MICROS)],
      ),
  },
  {
    id: 'unix-socket',
    label: 'Unix domain socket between processes',
    receiver: 'event loop (epoll)',
    durability: MEMORY_ONLY,
    run: (dir, n) =>
      receiverThenSender(
        [PEER, 'uds-recv', `${dir}.sock`, String(n)],
        [PEER, 'uds-send', `${dir}.sock`, String(n), String(GAP_MICROS)],
      ),
  },
  {
    id: 'worker-threads',
    label: 'worker_threads postMessage',
    receiver: "the worker's event loop",
    durability: MEMORY_ONLY,
    run: (_dir, n) => selfContained(NODE_PEERS, ['worker-latency', String(n), String(GAP_MICROS)]),
  },
  {
    id: 'child-process',
    label: "child_process IPC channel (serialization 'advanced')",
    receiver: "the child's event loop (epoll on the channel)",
    durability: MEMORY_ONLY,
    run: (_dir, n) => selfContained(NODE_PEERS, ['child-latency', String(n), String(GAP_MICROS)]),
  },
];

/** The answering side first, then the pinging side, whose result (half round trips) it is. */
const pongThenPing = (pong: Command, ping: Command) => listenerFirst(pong, ping, 'other');

const queuePingPong = (how: 'wait' | 'waitSync' | 'spin') => (dir: string, n: number) =>
  pongThenPing([PEER, 'queue-pong', dir, how], [PEER, 'queue-ping', dir, String(n), how]);

/** C's ping-pong through futex(2) or epoll: what C gets sleeping the ways the queue does. */
const cPingPong = (bin: string, how: 'futex' | 'epoll') => (file: string, n: number) =>
  Promise.resolve(
    JSON.parse(execFileSync(bin, [how, file, String(n)], { encoding: 'utf8' })) as unknown,
  );

function pingPongPaths(cBin: string): readonly LatencyPath[] {
  return [
    {
      id: 'queue-waiting',
      label: '@mapsync/ipc queue, tailer waiting (wait())',
      receiver: 'its doorbell (a FIFO) polled by the event loop',
      durability: QUEUE_DURABILITY,
      run: queuePingPong('wait'),
    },
    {
      id: 'queue-blocking',
      label: '@mapsync/ipc queue, tailer blocking (waitSync())',
      receiver: 'futex(2) on the main thread (holds the event loop while it waits)',
      durability: QUEUE_DURABILITY,
      run: queuePingPong('waitSync'),
    },
    {
      id: 'queue-spinning',
      label: '@mapsync/ipc queue, tailer spinning',
      receiver: 'busy-spins on the queue (holds a core)',
      durability: QUEUE_DURABILITY,
      run: queuePingPong('spin'),
    },
    {
      id: 'unix-socket',
      label: 'Unix domain socket between processes',
      receiver: 'event loop (epoll)',
      durability: MEMORY_ONLY,
      run: (dir, n) =>
        pongThenPing(
          [PEER, 'uds-pong', `${dir}.sock`],
          [PEER, 'uds-ping', `${dir}.sock`, String(n)],
        ),
    },
    {
      id: 'bare-doorbells',
      label: 'Node: two bare doorbells, no queue',
      receiver: 'the FIFO doorbell that wait() sleeps on, polled by the event loop',
      durability: MEMORY_ONLY,
      run: (dir, n) =>
        pongThenPing([PEER, 'bell-pong', dir, String(n)], [PEER, 'bell-ping', dir, String(n)]),
    },
    {
      id: 'c-epoll',
      label: 'C: epoll on a pipe (wake-floor.c)',
      receiver: 'epoll_wait, as an event loop (so wait() and the socket) sleeps',
      durability: MEMORY_ONLY,
      run: cPingPong(cBin, 'epoll'),
    },
    {
      id: 'c-futex',
      label: 'C: futex(2) on a shared mapping (wake-floor.c)',
      receiver: 'futex wait, as waitSync() sleeps',
      durability: MEMORY_ONLY,
      run: cPingPong(cBin, 'futex'),
    },
  ];
}

/** Messages per run for one producer to one and to four consumers, the same for all. */
const FAN_OUT_MESSAGES = 3_000_000;

/**
 * One producer (appendBatch() of 64) to `consumers` processes at priority `nice`: the
 * mean of the consumers' rates, as messages over seconds, and the slowest one's rate.
 */
async function fanOut(
  dir: string,
  n: number,
  consumers: number,
  nice: number,
): Promise<{ messages: number; seconds: number; slowest: number }> {
  const drains = Array.from({ length: consumers }, () =>
    startPeer(PEER, ['queue-drain', dir, String(n), String(nice)]),
  );
  try {
    await Promise.all(drains.map((d) => d.ready));
    await startPeer(PEER, ['queue-flood', dir, String(n)]).result;
  } catch (error) {
    for (const d of drains) d.kill();
    await Promise.allSettled(drains.map((d) => d.result));
    throw error;
  }
  const results = (await Promise.all(drains.map(async (d) => (await d.result)[0]))) as {
    messages: number;
    seconds: number;
  }[];
  const rates = results.map((r) => r.messages / r.seconds);
  const meanRate = rates.reduce((sum, r) => sum + r, 0) / rates.length;
  // Each run writes n x 72 bytes: not kept until the end of the suite.
  rmSync(dir, { recursive: true, force: true });
  return { messages: n, seconds: n / meanRate, slowest: Math.min(...rates) };
}

interface ThroughputPath extends Described {
  /** Messages one run sends: each path gets about a second's worth. */
  readonly messages: number;
  run(where: string, count: number): Promise<unknown>;
}

const throughputPaths: readonly ThroughputPath[] = [
  {
    id: 'queue-batch',
    label: '@mapsync/ipc queue, appendBatch() of 64',
    receiver: 'readBatch() of up to 4096',
    durability: QUEUE_DURABILITY,
    messages: FAN_OUT_MESSAGES,
    run: (dir, n) => fanOut(dir, n, 1, 0),
  },
  {
    id: 'queue-fan-out',
    label: '@mapsync/ipc queue, appendBatch() of 64, four consumers (each, mean)',
    receiver: 'readBatch() of up to 4096, in four processes',
    durability: QUEUE_DURABILITY,
    messages: FAN_OUT_MESSAGES,
    run: (dir, n) => fanOut(dir, n, 4, 0),
  },
  {
    id: 'queue-batch-nice',
    label: '@mapsync/ipc queue, appendBatch() of 64, consumer at nice 19',
    receiver: "readBatch() of up to 4096, below the producer's priority",
    durability: QUEUE_DURABILITY,
    messages: FAN_OUT_MESSAGES,
    run: (dir, n) => fanOut(dir, n, 1, 19),
  },
  {
    id: 'queue-fan-out-nice',
    label: '@mapsync/ipc queue, appendBatch() of 64, four consumers at nice 19 (each, mean)',
    receiver: "readBatch() of up to 4096, in four processes below the producer's priority",
    durability: QUEUE_DURABILITY,
    messages: FAN_OUT_MESSAGES,
    run: (dir, n) => fanOut(dir, n, 4, 19),
  },
  {
    id: 'queue-one',
    label: '@mapsync/ipc queue, append() per message',
    receiver: 'readBatch() of up to 4096',
    durability: QUEUE_DURABILITY,
    messages: 1_000_000,
    run: (dir, n) =>
      receiverThenSender(
        [PEER, 'queue-drain', dir, String(n)],
        [NODE_PEERS, 'queue-flood-one', dir, String(n)],
      ),
  },
  {
    id: 'unix-socket-one',
    label: 'Unix domain socket, write() per message',
    receiver: "'data' events, split into 64-byte messages",
    durability: MEMORY_ONLY,
    messages: 500_000,
    run: (dir, n) =>
      receiverThenSender(
        [PEER, 'uds-drain', `${dir}.sock`, String(n)],
        [PEER, 'uds-flood', `${dir}.sock`, String(n)],
      ),
  },
  {
    id: 'worker-threads',
    label: 'worker_threads postMessage per message',
    receiver: "'message' events",
    durability: MEMORY_ONLY,
    messages: 300_000,
    run: (_dir, n) => selfContained(NODE_PEERS, ['worker-flood', String(n)]),
  },
  {
    id: 'child-process',
    label: "child_process send() per message (serialization 'advanced')",
    receiver: "'message' events",
    durability: MEMORY_ONLY,
    messages: 100_000,
    run: (_dir, n) => selfContained(NODE_PEERS, ['child-flood', String(n)]),
  },
];

const describe = ({ id, label, receiver, durability }: Described): Described => ({
  id,
  label,
  receiver,
  durability,
});

export async function measureIpc(ctx: BenchContext): Promise<IpcData> {
  let runs = 0;
  // A fresh queue directory (or socket path) per run: nothing carries over.
  const fresh = () => path.join(ctx.scratchDir, `ipc-${++runs}`);

  const latencyRounds = 3;
  const counted = ctx.quick ? 300 : 2000;
  const warmup = ctx.quick ? 300 : WARMUP_MESSAGES;
  const perRound = warmup + counted;

  const compiled = compileC(WAKE_FLOOR, 'wake-floor');
  const pingPong = pingPongPaths(compiled.bin);
  const roundTrips = new Map<string, Float64Array[]>();
  try {
    for (let round = 0; round < latencyRounds; round++) {
      for (const p of inTurn(pingPong, round)) {
        ctx.step(`ping-pong, round ${round + 1}/${latencyRounds}: ${p.label}`);
        const result = (await p.run(fresh(), perRound)) as { latencies: number[] };
        const kept = Float64Array.from(result.latencies.slice(warmup));
        roundTrips.set(p.id, [...(roundTrips.get(p.id) ?? []), kept]);
      }
    }
  } finally {
    compiled.dispose();
  }

  const latencies = new Map<string, Float64Array[]>();
  for (let round = 0; round < latencyRounds; round++) {
    for (const p of inTurn(latencyPaths, round)) {
      ctx.step(`one-way latency, round ${round + 1}/${latencyRounds}: ${p.label}`);
      settleDisk();
      const result = (await p.run(fresh(), perRound)) as { latencies: number[] };
      const kept = Float64Array.from(result.latencies.slice(warmup));
      latencies.set(p.id, [...(latencies.get(p.id) ?? []), kept]);
    }
  }

  const throughputRounds = 2;
  const totals = new Map<string, { messages: number; seconds: number; slowest?: number }>();
  for (let round = 0; round < throughputRounds; round++) {
    for (const p of inTurn(throughputPaths, round)) {
      ctx.step(`throughput, round ${round + 1}/${throughputRounds}: ${p.label}`);
      // The queue's runs leave hundreds of MB dirty in the page cache.
      settleDisk();
      // Multiples of 1024: the batched socket sender writes 1024 messages at a time.
      const count = ctx.quick ? Math.ceil(p.messages / 10 / 1024) * 1024 : p.messages;
      const result = (await p.run(fresh(), count)) as {
        messages: number;
        seconds: number;
        slowest?: number;
      };
      const total = totals.get(p.id) ?? { messages: 0, seconds: 0 };
      totals.set(p.id, {
        messages: total.messages + result.messages,
        seconds: total.seconds + result.seconds,
        ...(result.slowest === undefined
          ? {}
          : { slowest: Math.min(result.slowest, total.slowest ?? Infinity) }),
      });
    }
  }

  return {
    messageBytes: MESSAGE_BYTES,
    pingPong: {
      rounds: latencyRounds,
      messagesPerRound: counted,
      warmupMessages: warmup,
      compiler: compiled.version,
      paths: pingPong.map((p) => ({
        ...describe(p),
        summary: summarize(roundTrips.get(p.id) ?? []),
      })),
    },
    latency: {
      rounds: latencyRounds,
      messagesPerRound: counted,
      warmupMessages: warmup,
      gapMicros: GAP_MICROS,
      paths: latencyPaths.map((p) => ({
        ...describe(p),
        summary: summarize(latencies.get(p.id) ?? []),
      })),
    },
    throughput: {
      rounds: throughputRounds,
      paths: throughputPaths.map((p) => ({
        ...describe(p),
        ...(totals.get(p.id) ?? { messages: 0, seconds: 0 }),
      })),
    },
  };
}
