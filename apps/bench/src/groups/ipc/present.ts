// The ipc group as a report section: one-way latency and throughput against Node.js's
// own IPC paths, and the targets.
import type { Section, Target } from '../../report/model.js';
import { count, perSecond, ratio, us } from '../../report/format.js';
import type { IpcData } from './measure.js';

export function presentIpc(data: IpcData): Section {
  const { latency, throughput } = data;
  const lat = (id: string) => latency.paths.find((p) => p.id === id)?.summary;
  const rate = (p: { messages: number; seconds: number }) => p.messages / p.seconds;
  const rateOf = (id: string) => {
    const p = throughput.paths.find((x) => x.id === id);
    return p === undefined ? NaN : rate(p);
  };
  const socket = lat('unix-socket');
  const waiting = lat('queue-waiting');
  const spinning = lat('queue-spinning');
  const socketRate = rateOf('unix-socket-one');
  const queueRate = rateOf('queue-batch');

  const targets: Target[] = [];
  if (socket !== undefined && waiting !== undefined) {
    targets.push({
      goal: 'one-way latency, tailer waiting: p50 at least 4x lower than a Unix socket',
      measured: `${ratio(socket.p50 / waiting.p50)} lower (queue ${us(waiting.p50)}, socket ${us(socket.p50)})`,
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
  if (!Number.isNaN(queueRate)) {
    targets.push({
      goal: '>= 5,000,000 messages/s, one producer to one consumer',
      measured: `${perSecond(queueRate)} (appendBatch of 64; append() per message: ${perSecond(rateOf('queue-one'))})`,
      met: queueRate >= 5e6,
    });
  }

  return {
    group: 'ipc',
    title: `ipc: ${data.messageBytes}-byte messages between processes`,
    method: [
      `One-way latency: the sender stamps each message with the monotonic clock (shared by every process and thread) and the receiver subtracts on receipt; messages ~${latency.gapMicros} µs apart (the sender sleeps between them: a spinning sender would hold one of the two vCPUs), so the receiver is asleep (or spinning) when each arrives. ${latency.rounds} rounds of ${count(latency.messagesPerRound)} messages per path (after ${count(50)} dropped), paths in rotating order, fresh processes each run. Queue and socket sides are \`packages/ipc/bench/peer.mjs\`, run as it is.`,
      `Throughput: one producer, one consumer, the rate seen by the consumer from its first message to its last; ${throughput.rounds} runs per path, in rotating order. A socket is a byte stream: its receiver splits 64-byte messages out of each chunk, with no per-message framing or header.`,
    ],
    tables: [
      {
        title: 'One-way latency',
        head: ['path', 'receiver', 'durability', 'p50', 'p99', 'p99.9', 'p50: socket / this'],
        align: ['left', 'left', 'left', 'right', 'right', 'right', 'right'],
        rows: latency.paths.map((p) => [
          p.label,
          p.receiver,
          p.durability,
          us(p.summary.p50),
          us(p.summary.p99),
          us(p.summary.p999),
          socket === undefined ? '' : ratio(socket.p50 / p.summary.p50),
        ]),
      },
      {
        title: 'Throughput, one producer to one consumer',
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
      {
        id: 'ipc-latency',
        title: `One-way latency, ${data.messageBytes}-byte messages (lower is better)`,
        axis: 'µs from send to receipt, log scale',
        logScale: true,
        series: ['p50', 'p99'],
        categories: latency.paths.map((p) => ({
          label: p.label,
          values: [p.summary.p50, p.summary.p99],
        })),
        format: 'us',
      },
      {
        id: 'ipc-throughput',
        title: `Throughput, ${data.messageBytes}-byte messages, one producer to one consumer (higher is better)`,
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
