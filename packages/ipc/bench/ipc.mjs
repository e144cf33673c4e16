// IPC between two processes through @mapsync/ipc, against a Unix domain socket
// measured in the same run: one-way latency of 64-byte messages (the consumer
// waiting, and busy-spinning) and throughput one producer to one and to four consumers.
//
//   node bench/ipc.mjs [--messages 3000] [--flood 5000000] [--json FILE]
//
// One-way latency: the producer stamps each message with CLOCK_MONOTONIC, which both
// processes share; the consumer subtracts on receipt. Messages are sent ~200 µs apart
// so the consumer is asleep (or spinning) when each arrives; the producer sleeps between them.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { benchDir, describeMachine, summarize, us } from '@mapsync/bench-kit';

const here = fileURLToPath(new URL('.', import.meta.url));
const { values: opts } = parseArgs({
  options: {
    messages: { type: 'string', default: '3000' },
    flood: { type: 'string', default: '5000000' },
    json: { type: 'string' },
  },
});
const messages = Number(opts.messages);
const flood = Number(opts.flood);

function peer(args) {
  const child = spawn(process.execPath, [path.join(here, 'peer.mjs'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const ready = new Promise((resolve) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('ready\n')) resolve();
    });
  });
  const done = new Promise((resolve, reject) =>
    child.on('close', (code) => (code === 0 ? resolve(out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l))) : reject(new Error(`peer ${args[0]} exited ${code}`)))),
  );
  return { ready, done };
}

async function pair(recvArgs, sendArgs) {
  const receiver = peer(recvArgs);
  await receiver.ready;
  const sender = peer(sendArgs);
  await sender.done;
  return (await receiver.done)[0];
}

const scratch = benchDir(here);
let n = 0;
const fresh = () => {
  const dir = path.join(scratch.dir, `q${++n}`);
  return dir;
};
try {
  const machine = describeMachine(scratch.dir, 'n/a');
  const latency = {};
  for (const [label, run] of [
    ['unix socket', () => { const p = path.join(scratch.dir, `s${++n}.sock`); return pair(['uds-recv', p, String(messages)], ['uds-send', p, String(messages), '200']); }],
    ['queue, consumer waiting (wait())', () => { const d = fresh(); return pair(['queue-recv', d, String(messages), '0'], ['queue-send', d, String(messages), '200']); }],
    ['queue, consumer blocking (waitSync)', () => { const d = fresh(); return pair(['queue-recv-blocking', d, String(messages), '0'], ['queue-send', d, String(messages), '200']); }],
    ['queue, consumer spinning', () => { const d = fresh(); return pair(['queue-recv', d, String(messages), '10000000'], ['queue-send', d, String(messages), '200']); }],
  ]) {
    latency[label] = summarize([(await run()).latencies.slice(50)]);
  }
  const throughput = {};
  {
    const p = path.join(scratch.dir, `s${++n}.sock`);
    const r = await pair(['uds-drain', p, String(flood)], ['uds-flood', p, String(flood)]);
    throughput['unix socket, 1 consumer'] = r.messages / r.seconds;
  }
  {
    const d = fresh();
    const r = await pair(['queue-drain', d, String(flood)], ['queue-flood', d, String(flood)]);
    throughput['queue, 1 consumer'] = r.messages / r.seconds;
  }
  {
    const d = fresh();
    const consumers = [0, 1, 2, 3].map(() => peer(['queue-drain', d, String(flood)]));
    await Promise.all(consumers.map((c) => c.ready));
    await peer(['queue-flood', d, String(flood)]).done;
    const results = (await Promise.all(consumers.map((c) => c.done))).map((r) => r[0]);
    throughput['queue, 4 consumers (per consumer, mean)'] = results.reduce((a, r) => a + r.messages / r.seconds, 0) / 4;
  }

  const socket = latency['unix socket'];
  const waiting = latency['queue, consumer waiting (wait())'];
  const spinning = latency['queue, consumer spinning'];
  const blocking = latency['queue, consumer blocking (waitSync)'];
  const lines = [
    `command: node ${path.relative(process.cwd(), process.argv[1])} ${process.argv.slice(2).join(' ')}`.trim(),
    ...Object.entries(machine).filter(([k]) => k !== 'compiler').map(([k, v]) => `${k}: ${v}`),
    '',
    `One-way latency, 64-byte messages, ${messages} per row, ~200 µs apart:`,
    '',
    '| path | p50 | p99 | p99.9 | p50 vs socket |',
    '|---|---:|---:|---:|---:|',
    ...Object.entries(latency).map(([k, s]) => `| ${k} | ${us(s.p50)} | ${us(s.p99)} | ${us(s.p999)} | ${(socket.p50 / s.p50).toFixed(1)}x lower |`),
    '',
    `Throughput, 64-byte messages, ${flood.toLocaleString('en-US')} sent:`,
    '',
    '| path | messages/s |',
    '|---|---:|',
    ...Object.entries(throughput).map(([k, v]) => `| ${k} | ${Math.round(v).toLocaleString('en-US')} |`),
    '',
    'Targets:',
    `- waiting p50 at least 4x lower than the socket: event loop free ${(socket.p50 / waiting.p50).toFixed(1)}x (${socket.p50 / waiting.p50 >= 4 ? 'met' : 'not met'}), ` +
      `blocking waitSync ${(socket.p50 / blocking.p50).toFixed(1)}x (${socket.p50 / blocking.p50 >= 4 ? 'met' : 'not met'})`,
    `- spinning p50 under 3 µs: ${us(spinning.p50)} (${spinning.p50 < 3 ? 'met' : 'not met'})`,
    `- >= 5,000,000 messages/s one to one: ${Math.round(throughput['queue, 1 consumer']).toLocaleString('en-US')} (${throughput['queue, 1 consumer'] >= 5e6 ? 'met' : 'not met'})`,
    `- four consumers each >= 80% of that: ${(throughput['queue, 4 consumers (per consumer, mean)'] / throughput['queue, 1 consumer'] * 100).toFixed(0)}% (${throughput['queue, 4 consumers (per consumer, mean)'] >= 0.8 * throughput['queue, 1 consumer'] ? 'met' : 'not met'})`,
  ];
  console.log(lines.join('\n'));
  if (opts.json !== undefined) writeFileSync(opts.json, JSON.stringify({ machine, latency, throughput }, null, 2) + '\n');
} finally {
  scratch.dispose();
}
