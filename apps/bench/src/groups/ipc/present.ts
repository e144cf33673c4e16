// The ipc group as a report section: one-way latency and throughput against Node.js's
// own IPC paths, and the targets.
import type { BarChart, Section, Target } from '../../report/model.js';
import { count, perSecond, ratio, us } from '../../report/format.js';
import type { Summary } from '@mapsync/bench-kit';

import type { IpcData } from './measure.js';

/** p50 and p99 of each path, on a log scale. */
function latencyChart(
  id: string,
  title: string,
  axis: string,
  paths: readonly { label: string; summary: Summary }[],
): BarChart {
  return {
    id,
    title,
    axis,
    logScale: true,
    series: ['p50', 'p99'],
    categories: paths.map((p) => ({ label: p.label, values: [p.summary.p50, p.summary.p99] })),
    format: 'us',
  };
}

export function presentIpc(data: IpcData): Section {
  const { latency, throughput } = data;
  const lat = (id: string) => latency.paths.find((p) => p.id === id)?.summary;
  const rate = (p: { messages: number; seconds: number }) => p.messages / p.seconds;
  const rateOf = (id: string) => {
    const p = throughput.paths.find((x) => x.id === id);
    return p === undefined ? NaN : rate(p);
  };
  const ping = (id: string) => data.pingPong?.paths.find((p) => p.id === id)?.summary;
  const socketRate = rateOf('unix-socket-one');
  const queueRate = rateOf('queue-batch');

  const targets: Target[] = [];
  // The issue measures against a socket ping-pong; runs from before it was measured
  // have only the spaced one-way latencies.
  const socket = ping('unix-socket') ?? lat('unix-socket');
  const waiting = ping('queue-waiting') ?? lat('queue-waiting');
  const spinning = ping('queue-spinning') ?? lat('queue-spinning');
  if (socket !== undefined && waiting !== undefined) {
    const blocking = ping('queue-blocking');
    const bare = ping('bare-doorbells');
    const cEpoll = ping('c-epoll');
    const cFutex = ping('c-futex');
    const beside = [
      blocking && `waitSync() ${ratio(socket.p50 / blocking.p50)}`,
      bare && `Node's bare doorbells ${ratio(socket.p50 / bare.p50)}`,
      cEpoll && `C's epoll ${ratio(socket.p50 / cEpoll.p50)}`,
      cFutex && `C's futex ${ratio(socket.p50 / cFutex.p50)}`,
    ].filter((x) => x !== undefined);
    targets.push({
      goal: `one-way latency, tailer waiting: p50 at least 4x lower than a Unix socket${data.pingPong ? ' ping-pong' : ''}`,
      measured:
        `${ratio(socket.p50 / waiting.p50)} lower (queue ${us(waiting.p50)}, socket ${us(socket.p50)})` +
        (beside.length > 0 ? `; in the same run: ${beside.join(', ')} lower` : ''),
      met: socket.p50 / waiting.p50 >= 4,
    });
  }
  if (spinning !== undefined) {
    targets.push({
      goal: 'one-way latency, tailer spinning: p50 under 3 µs',
      measured: `${us(spinning.p50)} (p99 ${us(spinning.p99)})`,
      met: spinning.p50 < 3,
    });
  }
  const fanOutRate = rateOf('queue-fan-out');
  const fanOutShare = fanOutRate / queueRate;
  const fanOutNiceShare = rateOf('queue-fan-out-nice') / rateOf('queue-batch-nice');
  // Each consumer: the slowest of all runs (the mean, in runs from before it was kept).
  const slowest = (id: string) => throughput.paths.find((x) => x.id === id)?.slowest ?? rateOf(id);
  if (!Number.isNaN(fanOutShare)) {
    // "80% of that": of the 5,000,000 messages/s asked of one consumer. Against the
    // one-to-one rate actually measured, which is higher, the share is shown beside it.
    targets.push({
      goal: 'four consumers: each at least 80% of the 5,000,000 messages/s target (4,000,000)',
      measured:
        `the slowest ${perSecond(slowest('queue-fan-out'))}, mean ${perSecond(fanOutRate)} at the producer's priority (${(fanOutShare * 100).toFixed(0)}% of this run's one to one)` +
        (Number.isNaN(fanOutNiceShare)
          ? ''
          : `; the slowest ${perSecond(slowest('queue-fan-out-nice'))}, mean ${perSecond(rateOf('queue-fan-out-nice'))} with the consumers at nice 19 (${(fanOutNiceShare * 100).toFixed(0)}% of one consumer at nice 19)`),
      met: slowest('queue-fan-out') >= 4e6,
    });
  }
  if (!Number.isNaN(queueRate)) {
    targets.push({
      goal: '>= 5,000,000 messages/s, one producer to one consumer',
      measured: `${perSecond(queueRate)} (appendBatch of 64; append() per message: ${perSecond(rateOf('queue-one'))})`,
      met: queueRate >= 5e6,
    });
  }

  const latencyRows = (
    paths: readonly { label: string; receiver: string; durability: string; summary: Summary }[],
    base: Summary | undefined,
  ) =>
    paths.map((p) => [
      p.label,
      p.receiver,
      p.durability,
      us(p.summary.p50),
      us(p.summary.p99),
      us(p.summary.p999),
      base === undefined ? '' : ratio(base.p50 / p.summary.p50),
    ]);
  const latencyHead = [
    'path',
    'receiver',
    'durability',
    'p50',
    'p99',
    'p99.9',
    'p50: socket / this',
  ];
  const latencyAlign = ['left', 'left', 'left', 'right', 'right', 'right', 'right'] as const;
  const { pingPong } = data;

  return {
    group: 'ipc',
    title: `ipc: ${data.messageBytes}-byte messages between processes`,
    method: [
      ...(pingPong === undefined
        ? []
        : [
            `Ping-pong (how the issue measures against a socket): each side answers the other's message at once, and one way is half of each round trip, so no two clocks need agree. The queue uses two queues, one each way, both sides waiting as the row says. Two bare doorbells (FIFOs, no queue) show how fast a Node event loop wakes at best. C's own ping-pong (\`packages/ipc/bench/wake-floor.c\`, compiled with ${pingPong.compiler}) shows what C itself gets sleeping the same ways, with nothing but the kernel in the way: through epoll, as an event loop (and so wait() and the socket) sleeps, and through futex(2), as waitSync() sleeps. ${pingPong.rounds} rounds of ${count(pingPong.messagesPerRound)} round trips per path (after ${count(pingPong.warmupMessages ?? 50)} not counted, while V8 optimizes both sides), paths in rotating order, fresh processes each run.`,
          ]),
      `One-way latency, spaced: the sender stamps each message with the monotonic clock (shared by every process and thread) and the receiver subtracts on receipt; messages ~${latency.gapMicros} µs apart (the sender sleeps between them: a spinning sender would hold one of the two vCPUs), so the receiver is asleep (or spinning) when each arrives, and has been for a while; compare the ping-pong table. ${latency.rounds} rounds of ${count(latency.messagesPerRound)} messages per path (after ${count(latency.warmupMessages ?? 50)} not counted), paths in rotating order, fresh processes each run. Queue and socket sides are \`packages/ipc/bench/peer.mjs\`, run as it is.`,
      `Throughput: one producer, one consumer (or four, each reading every message), the rate seen by each consumer from the flood's start to its last message (with four, their mean): the queue's and the socket's producers stamp the start in their first message, so a consumer that starts late and drains a backlog is not credited for it; worker_threads and child_process count from their first receipt; ${throughput.rounds} runs per path, in rotating order. "nice 19": the consumers lower their own priority below the producer's (\`os.setPriority(19)\`, no privilege needed), so that on two vCPUs the producer every consumer waits for is not held to an equal share of them. A socket is a byte stream: its receiver splits 64-byte messages out of each chunk, with no per-message framing or header.`,
    ],
    tables: [
      ...(pingPong === undefined
        ? []
        : [
            {
              title: 'One-way latency, ping-pong',
              head: latencyHead,
              align: [...latencyAlign],
              rows: latencyRows(pingPong.paths, ping('unix-socket')),
            },
          ]),
      {
        title: `One-way latency, messages ~${latency.gapMicros} µs apart`,
        head: latencyHead,
        align: [...latencyAlign],
        rows: latencyRows(latency.paths, lat('unix-socket')),
      },
      {
        title: 'Throughput, one producer to one consumer (or four)',
        head: ['path', 'receiver', 'durability', 'messages/s', 'vs socket, write() per message'],
        align: ['left', 'left', 'left', 'right', 'right'],
        rows: throughput.paths.map((p) => [
          p.label,
          p.receiver,
          p.durability,
          perSecond(rate(p)),
          ratio(rate(p) / socketRate),
        ]),
      },
    ],
    charts: [
      ...(pingPong === undefined
        ? []
        : [
            latencyChart(
              'ipc-ping-pong',
              `One-way latency, ping-pong, ${data.messageBytes}-byte messages (lower is better)`,
              'µs, half a round trip, log scale',
              pingPong.paths,
            ),
          ]),
      latencyChart(
        'ipc-latency',
        `One-way latency, ${data.messageBytes}-byte messages ~${latency.gapMicros} µs apart (lower is better)`,
        'µs from send to receipt, log scale',
        latency.paths,
      ),
      {
        id: 'ipc-throughput',
        title: `Throughput, ${data.messageBytes}-byte messages, one producer to one consumer or four (higher is better)`,
        axis: 'messages per second, log scale',
        logScale: true,
        series: ['messages/s'],
        categories: throughput.paths.map((p) => ({ label: p.label, values: [rate(p)] })),
        format: 'perSecond',
      },
    ],
    targets,
  };
}
