// Durable commits of 100-byte records through @mapsync/wal, side by side with the same
// loop in C (pwrite + fdatasync on a preallocated file, bench/commits.c), and group
// commit throughput with 1 to 1,000 concurrent committers; each also with the option
// guardMisdirectedWrites (serial commitSync, and 1,000 committers), to show its price.
//
//   node bench/commits.mjs [--dir DIR] [--rounds 4] [--serial 1000] [--seconds 1.5] [--json FILE]
//
// C and JS alternate over several rounds so a noisy shared VM hits both alike; compare
// the ratios of one run, not absolute times across runs.
import { execFileSync } from 'node:child_process';
import { closeSync, fsyncSync, openSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import path, { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { benchDir, compileC, describeMachine, runConcurrent, summarize, us } from '@mapsync/bench-kit';
import { fallocateSync, fdatasyncSync, map, pageSize } from '@mapsync/native';
import { WriteAheadLog } from '@mapsync/wal';

const here = fileURLToPath(new URL('.', import.meta.url));
const RECORD = 100;
/**
 * Untimed commits before each loop is timed, the same number on every side: V8 keeps
 * optimizing the log's commit path for a while (with 20, the first 500 timed commits of
 * a fresh log measured 10-40 µs slower at p50 than the next 1,000; with 300, the first
 * of 4 rounds still ran 13-22 µs slower than the last, which 2,000 evened out).
 */
const WARMUP = 2000;
const COMMITTERS = [1, 10, 100, 1000];

const { values: opts } = parseArgs({
  options: {
    dir: { type: 'string' },
    rounds: { type: 'string', default: '4' },
    serial: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '1.5' },
    json: { type: 'string' },
  },
});
const rounds = Number(opts.rounds);
const serialPerRound = Math.ceil(Number(opts.serial) / rounds);
const seconds = Number(opts.seconds);

const record = new Uint8Array(RECORD).fill(0x72);

function runC(bin, dir, count = serialPerRound, batch = 1) {
  const out = execFileSync(bin, [dir, String(count), String(RECORD), String(batch), String(WARMUP)], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return Float64Array.from(JSON.parse(out).samples);
}

/** The same loop as the C one, from Node: what Node itself costs per durable commit. */
function nodePwrite(dir) {
  return bareLoop(dir, (fd, at) => {
    writeSync(fd, record, 0, RECORD, at);
    fdatasyncSync(fd);
  });
}

/** Write into a shared mapping + msync the page, no log: the floor for any mapped log. */
function nodeMapped(dir) {
  let mapping;
  let bytes;
  return bareLoop(dir, (fd, at, size) => {
    if (mapping === undefined) {
      mapping = map(fd, { length: size, access: 'readwrite' });
      bytes = new Uint8Array(mapping.buffer);
    }
    bytes.set(record, at);
    const page = at - (at % pageSize);
    mapping.msyncSync(page, at + RECORD - page);
  }, () => mapping?.unmap());
}

function bareLoop(dir, commit, done = () => {}) {
  const path = join(dir, 'node-commits.dat');
  const size = Math.ceil(((serialPerRound + WARMUP) * RECORD) / pageSize) * pageSize;
  const fd = openSync(path, 'w+');
  try {
    fallocateSync(fd, 0, size);
    fsyncSync(fd);
    const samples = new Float64Array(serialPerRound);
    for (let i = -WARMUP, at = 0; i < serialPerRound; i++, at += RECORD) {
      const t0 = performance.now();
      commit(fd, at, size);
      if (i >= 0) samples[i] = (performance.now() - t0) * 1000;
    }
    return samples;
  } finally {
    done();
    closeSync(fd);
    unlinkSync(path);
  }
}

let logNumber = 0;
function freshLog(dir, options = {}) {
  return WriteAheadLog.open(path.join(dir, `log-${++logNumber}`), options);
}

async function serialAsync(dir) {
  const log = freshLog(dir);
  const samples = new Float64Array(serialPerRound);
  for (let i = -WARMUP; i < serialPerRound; i++) {
    const t0 = performance.now();
    await log.append(record, { commit: true });
    if (i >= 0) samples[i] = (performance.now() - t0) * 1000;
  }
  await log.close();
  return samples;
}

async function serialSync(dir, options) {
  const log = freshLog(dir, options);
  const samples = new Float64Array(serialPerRound);
  for (let i = -WARMUP; i < serialPerRound; i++) {
    const t0 = performance.now();
    log.append(record);
    log.commitSync();
    if (i >= 0) samples[i] = (performance.now() - t0) * 1000;
  }
  await log.close();
  return samples;
}

/**
 * Group commit runs this long untimed first: a fresh log's first second is slower
 * (V8 optimizing the commit path, first page faults, the flush pipeline filling up)
 * and would otherwise be averaged into a steady-state figure. With 1,000 committers:
 * 1.5 s from a cold start measured 820k records/s, the same log after 3 s 915k, 6 s 997k.
 */
const GROUP_WARMUP_SECONDS = 1;

/** `committers` loops, each appending and awaiting its own commit (bench-kit's runConcurrent). */
async function group(dir, committers, options) {
  const log = freshLog(dir, options);
  const run = await runConcurrent({ workers: committers, warmupSeconds: GROUP_WARMUP_SECONDS, seconds }, () =>
    log.append(record, { commit: true }),
  );
  await log.close();
  return { committers, records: run.records, recordsPerSecond: run.records / run.seconds, latency: summarize([run.latencies]) };
}

const compiled = compileC(path.join(here, 'commits.c'), 'commits');
const scratch = benchDir(here, opts.dir);
try {
  const machine = describeMachine(scratch.dir, compiled.version);
  const c = [];
  const jsAsync = [];
  const jsSync = [];
  const bareWrite = [];
  const bareMapped = [];
  const jsSyncGuarded = [];
  for (let round = 0; round < rounds; round++) {
    const sides = [
      async () => c.push(runC(compiled.bin, scratch.dir)),
      async () => {
        bareWrite.push(nodePwrite(scratch.dir));
        bareMapped.push(nodeMapped(scratch.dir));
        jsAsync.push(await serialAsync(scratch.dir));
        jsSync.push(await serialSync(scratch.dir));
        jsSyncGuarded.push(await serialSync(scratch.dir, { guardMisdirectedWrites: true }));
      },
    ];
    if (round % 2 === 1) sides.reverse();
    for (const side of sides) await side();
  }
  const cSummary = summarize(c);
  const serial = [
    { label: 'C: pwrite 100 B + fdatasync, preallocated', s: cSummary },
    { label: 'wal: await append(…, { commit: true })', s: summarize(jsAsync) },
    { label: 'wal: append + commitSync()', s: summarize(jsSync) },
    // The option's price: each flush also writes the segment's header page.
    { label: 'wal: append + commitSync(), guardMisdirectedWrites', s: summarize(jsSyncGuarded) },
    // Not the log: the same two loops from Node, to show what Node and the mapping cost.
    { label: 'Node, no log: fs.writeSync + fdatasyncSync', s: summarize(bareWrite) },
    { label: 'Node, no log: write into a mapping + msyncSync', s: summarize(bareMapped) },
  ];
  const groups = [];
  for (const committers of COMMITTERS) {
    const g = await group(scratch.dir, committers);
    // C writing the whole group with one pwrite + fdatasync: no per-record work at all.
    const batch = summarize([runC(compiled.bin, scratch.dir, 300, committers)]);
    groups.push({ ...g, cBatchRecordsPerSecond: (committers * 1e6) / batch.p50 });
  }
  // The option's price for group commit: one header page more per flushed group.
  const guarded = await group(scratch.dir, COMMITTERS.at(-1), { guardMisdirectedWrites: true });

  const lines = [
    `command: node ${path.relative(process.cwd(), process.argv[1])} ${process.argv.slice(2).join(' ')}`.trim(),
    ...Object.entries(machine).map(([k, v]) => `${k}: ${v}`),
    '',
    `Serial durable commits of ${RECORD}-byte records (${serialPerRound * rounds} per side, ${rounds} alternating rounds):`,
    '',
    '| loop | p50 | p99 | 1 / p50 (commits/s) | vs C (at p50) |',
    '|---|---:|---:|---:|---:|',
    ...serial.map(
      ({ label, s }) =>
        `| ${label} | ${us(s.p50)} | ${us(s.p99)} | ${Math.round(1e6 / s.p50).toLocaleString('en-US')} | ${(cSummary.p50 / s.p50).toFixed(2)}x |`,
    ),
    '',
    `Group commit: N committers each awaiting its own commit, ${seconds} s each after ${GROUP_WARMUP_SECONDS} s untimed (latency: one commit in 16):`,
    '',
    '| committers | durable records/s | commit latency p50 | p99 | C: all N records in one pwrite + fdatasync |',
    '|---:|---:|---:|---:|---:|',
    ...groups.map(
      (g) =>
        `| ${g.committers} | ${Math.round(g.recordsPerSecond).toLocaleString('en-US')} | ${us(g.latency.p50)} | ${us(g.latency.p99)} | ` +
        `${Math.round(g.cBatchRecordsPerSecond).toLocaleString('en-US')} |`,
    ),
    '',
    `With guardMisdirectedWrites, ${guarded.committers} committers: ${Math.round(guarded.recordsPerSecond).toLocaleString('en-US')} durable records/s, ` +
      `commit latency p50 ${us(guarded.latency.p50)}, p99 ${us(guarded.latency.p99)}.`,
    '',
    'Targets:',
    `- serial commits >= 0.9x the C loop: await commit ${(cSummary.p50 / serial[1].s.p50).toFixed(2)}x ` +
      `(${cSummary.p50 / serial[1].s.p50 >= 0.9 ? 'met' : 'not met'}), commitSync ${(cSummary.p50 / serial[2].s.p50).toFixed(2)}x ` +
      `(${cSummary.p50 / serial[2].s.p50 >= 0.9 ? 'met' : 'not met'})`,
    `- >= 1,000,000 durable records/s with 1,000 committers: ${Math.round(groups.at(-1).recordsPerSecond).toLocaleString('en-US')} ` +
      `(${groups.at(-1).recordsPerSecond >= 1e6 ? 'met' : 'not met'})`,
  ];
  console.log(lines.join('\n'));
  if (opts.json !== undefined) {
    writeFileSync(opts.json, JSON.stringify({ machine, command: process.argv, serial, groups, guarded }, null, 2) + '\n');
  }
} finally {
  scratch.dispose();
  compiled.dispose();
}
