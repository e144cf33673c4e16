// Per-call overhead of @mapsync/native against the same loops in C (bench/overhead.c).
//
//   node bench/overhead.mjs [--dir DIR] [--rounds 10] [--iterations 2000] [--batches 2000]
//                           [--json FILE]
//
// The C and JS runs alternate over several rounds (C first in even rounds, JS first in
// odd ones), so the noise of a shared VM and the drift of the disk hit both sides alike;
// the samples of all rounds are merged before percentiles are taken. Compare the ratio
// JS/C of one run, not absolute times across runs. Files go to a fresh directory under
// DIR (default bench/.tmp, on the package's disk: /tmp may be tmpfs), removed at the end.
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { benchDir, compileC, describeMachine, summarize, us } from '@mapsync/bench-kit';
import { MS, fallocateSync, fdatasyncSync, map, pageSize } from '@mapsync/native';

const here = fileURLToPath(new URL('.', import.meta.url));
const PAGES = 512; // 2 MiB file, the same layout as overhead.c
const BATCH = 100; // calls per sample for the cheap operations, as in overhead.c

// key: the operation in overhead.c it is compared with.
const OPERATIONS = [
  { key: 'msync-sync-1', label: 'msync MS_SYNC, 1 dirty page, msyncSync()' },
  {
    key: 'msync-sync-1',
    js: 'msync-sync-1-promise',
    label: 'msync MS_SYNC, 1 dirty page, await msync()',
  },
  { key: 'msync-sync-16', label: 'msync MS_SYNC, 16 dirty pages' },
  { key: 'msync-sync-clean', label: 'msync MS_SYNC, nothing dirty' },
  { key: 'fdatasync-1', label: 'fdatasync after a mapped 1-page write' },
  { key: 'msync-async-1', label: 'msync MS_ASYNC, 1 page' },
  { key: 'mincore-256', label: 'mincore, 256 pages (1 MiB)' },
];

const { values: opts } = parseArgs({
  options: {
    dir: { type: 'string' },
    rounds: { type: 'string', default: '10' },
    iterations: { type: 'string', default: '2000' },
    batches: { type: 'string', default: '2000' },
    json: { type: 'string' },
  },
});
const rounds = positive(opts.rounds, '--rounds');
const durablePerRound = Math.ceil(positive(opts.iterations, '--iterations') / rounds);
const batchesPerRound = Math.ceil(positive(opts.batches, '--batches') / rounds);

function positive(text, name) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${name} must be a positive integer, received ${text}`);
  return n;
}

function runC(bin, dir) {
  const out = execFileSync(
    bin,
    [dir, String(durablePerRound), String(batchesPerRound), '--samples'],
    {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    },
  );
  return out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

// Times `op` n times (after 20 untimed warm-up calls, as in C); `prep` runs untimed
// before each call. A sample is the time of one `op` divided by the calls it makes.
async function measure(n, callsPerSample, prep, op) {
  const samples = new Float64Array(n);
  for (let i = -20; i < n; i++) {
    prep?.();
    const t0 = performance.now();
    const pending = op();
    if (pending !== undefined) await pending;
    if (i >= 0) samples[i] = ((performance.now() - t0) * 1000) / callsPerSample;
  }
  return samples;
}

// The loops of overhead.c, through the binding, on a fresh file of the same layout.
async function runJs(dir) {
  const file = path.join(dir, 'js-overhead.dat');
  const fd = openSync(file, 'w+');
  const size = PAGES * pageSize;
  fallocateSync(fd, 0, size);
  const m = map(fd, { length: size, access: 'readwrite' });
  const bytes = m.bytes();
  bytes.fill(1);
  m.msyncSync();
  let counter = 0;
  // One byte per page is enough: the kernel tracks dirtiness per page.
  const dirty = (first, pages) => {
    for (let i = 0; i < pages; i++) bytes[(first + i) * pageSize] = ++counter & 0xff;
  };
  const batch = (call) => () => {
    for (let i = 0; i < BATCH; i++) call();
  };
  const results = {
    'msync-sync-1': await measure(
      durablePerRound,
      1,
      () => dirty(0, 1),
      () => m.msyncSync(0, pageSize, MS.SYNC),
    ),
    'msync-sync-1-promise': await measure(
      durablePerRound,
      1,
      () => dirty(0, 1),
      () => m.msync(0, pageSize, MS.SYNC),
    ),
    'msync-sync-16': await measure(
      durablePerRound,
      1,
      () => dirty(16, 16),
      () => m.msyncSync(16 * pageSize, 16 * pageSize, MS.SYNC),
    ),
    'msync-sync-clean': await measure(durablePerRound, 1, undefined, () =>
      m.msyncSync(64 * pageSize, pageSize, MS.SYNC),
    ),
    'fdatasync-1': await measure(
      durablePerRound,
      1,
      () => dirty(128, 1),
      () => fdatasyncSync(fd),
    ),
    'msync-async-1': await measure(
      batchesPerRound,
      BATCH,
      undefined,
      batch(() => m.msyncSync(0, pageSize, MS.ASYNC)),
    ),
    'mincore-256': await measure(
      batchesPerRound,
      BATCH,
      undefined,
      batch(() => m.mincore(0, 256 * pageSize)),
    ),
  };
  m.unmap();
  closeSync(fd);
  rmSync(file);
  return results;
}

const spread = (r) =>
  `${Math.min(...r.ratioP50Rounds).toFixed(2)}–${Math.max(...r.ratioP50Rounds).toFixed(2)}`;

function report(machine, rows) {
  const lines = [
    `command: ${['node', path.relative(process.cwd(), process.argv[1]), ...process.argv.slice(2)].join(' ')}`,
    ...Object.entries(machine).map(([k, v]) => `${k}: ${v}`),
    `rounds: ${rounds} (C and JS alternating), ${durablePerRound * rounds} timed calls per durable operation, ` +
      `${batchesPerRound * rounds} samples of ${BATCH} calls per cheap operation, per side`,
    '',
    '| operation | C p50 | JS p50 | JS/C p50 | JS/C p50, per round | C p99 | JS p99 |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.label} | ${us(r.c.p50)} | ${us(r.js.p50)} | ${r.ratioP50.toFixed(3)} | ${spread(r)} | ${us(r.c.p99)} | ${us(r.js.p99)} |`,
    ),
    '',
    'Targets:',
    ...rows
      .filter((r) => r.key.startsWith('msync-sync'))
      .map(
        (r) =>
          `- ${r.label}: JS p50 within 5% of C: ${r.ratioP50 <= 1.05 ? 'met' : 'not met'} (${r.ratioP50.toFixed(3)}×, rounds ${spread(r)})`,
      ),
    ...rows
      .filter((r) => r.key === 'msync-async-1')
      .map(
        (r) =>
          `- ${r.label}: JS p50 under 0.5 µs: ${r.js.p50 < 0.5 ? 'met' : 'not met'} (${us(r.js.p50)})`,
      ),
  ];
  console.log(lines.join('\n'));
}

const compiled = compileC(path.join(here, 'overhead.c'), 'overhead');
const scratch = benchDir(here, opts.dir);
const dir = scratch.dir;
try {
  const machine = describeMachine(dir, compiled.version);
  if (machine.filesystem.startsWith('tmpfs')) {
    console.error(
      `warning: ${dir} is on tmpfs: the durable calls reach no disk here; pass --dir on a real disk`,
    );
  }
  const c = {};
  const js = {};
  const add = (into, key, samples) => (into[key] ??= []).push(samples);
  for (let round = 0; round < rounds; round++) {
    const sides = [
      () => runC(compiled.bin, dir).forEach((r) => add(c, r.op, r.samples)),
      async () => Object.entries(await runJs(dir)).forEach(([key, s]) => add(js, key, s)),
    ];
    if (round % 2 === 1) sides.reverse();
    for (const side of sides) await side();
  }
  const rows = OPERATIONS.map((o) => {
    const [cRounds, jsRounds] = [c[o.key], js[o.js ?? o.key]];
    // The spread of the ratio from round to round shows how much of it is noise.
    const perRound = jsRounds.map((s, i) => summarize([s]).p50 / summarize([cRounds[i]]).p50);
    const row = { key: o.key, label: o.label, c: summarize(cRounds), js: summarize(jsRounds) };
    return { ...row, ratioP50: row.js.p50 / row.c.p50, ratioP50Rounds: perRound };
  });
  report(machine, rows);
  if (opts.json !== undefined) {
    const config = { rounds, durablePerRound, batchesPerRound, callsPerCheapSample: BATCH };
    writeFileSync(
      opts.json,
      JSON.stringify({ machine, command: process.argv, config, rows }, null, 2) + '\n',
    );
  }
} finally {
  scratch.dispose();
  compiled.dispose();
}
