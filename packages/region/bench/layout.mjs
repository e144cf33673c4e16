// Layout accessors against hand-written DataView code over the same mapped bytes.
//
//   npm run build && node bench/layout.mjs [--rounds 5] [--time 300] [--json FILE]
//
// Each task walks 4096 records of a mapped file once per call; the figure is ns per
// record. Layout and DataView tasks run in the same Bench, alternating, for several
// rounds; the median of the rounds is reported, and the ratio layout/DataView of those
// medians is the number to look at (this VM is shared and noisy: compare ratios from
// one run, not absolute times across runs).
//
// Before measuring, eight other layouts are used through the same code paths, as in a
// real program: accessors must stay fast when many layouts exist, not only one.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { Bench } from 'tinybench';

import { array, f64, openRegionSync, struct, u16, u32, u64, u8, utf8 } from '../dist/index.mjs';

const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    time: { type: 'string', default: '300' },
    json: { type: 'string' },
  },
});
const rounds = Number(opts.rounds);
const time = Number(opts.time);

const COUNT = 4096;
const Record = struct({
  id: u32,
  x: f64,
  y: f64,
  flags: u16,
  seq: u64,
  pos: struct({ lat: f64, lon: f64 }),
  name: utf8(16),
});
const STRIDE = Record.size;
const O = Record.offsets;
const POS_LAT = O.pos + Record.fields.find((f) => f.name === 'pos').layout.offsets.lat;

const dir = mkdtempSync(path.join(os.tmpdir(), 'mapsync-bench-'));
const region = openRegionSync(path.join(dir, 'records.dat'), {
  mode: 'rw',
  create: true,
  size: COUNT * STRIDE,
});
const records = region.array(Record, { count: COUNT });
const cursor = records.cursor();
const ids = region.array(u32, { count: COUNT });
const dv = new DataView(region.bytes().buffer);
const bytes = region.bytes();
const decoder = new TextDecoder();

for (let i = 0; i < COUNT; i++) {
  cursor.seek(i).assign({
    id: i,
    x: i / 3,
    y: i / 7,
    flags: i & 0xffff,
    seq: BigInt(i),
    pos: { lat: i, lon: -i },
    name: `r${i}`,
  });
}

// Other layouts, exercised through cursors, views and arrays before anything is measured.
for (let k = 0; k < 8; k++) {
  const Other = struct({ pad: array(u8, k + 1), id: u32, x: f64, tag: utf8(8) });
  const others = region.array(Other, { count: 64 });
  const c = others.cursor();
  for (let r = 0; r < 200; r++) {
    for (let i = 0; i < 64; i++) {
      c.seek(i).id = i;
      c.x += c.id;
    }
  }
}
await region.flush();

let sink = 0;
const tasks = [
  {
    group: 'read u32 + f64 of each record',
    layout: () => {
      let sum = 0;
      for (let i = 0; i < COUNT; i++) {
        cursor.seek(i);
        sum += cursor.id + cursor.x;
      }
      sink += sum;
    },
    dataView: () => {
      let sum = 0;
      for (let i = 0; i < COUNT; i++) {
        const at = i * STRIDE;
        sum += dv.getUint32(at + O.id, true) + dv.getFloat64(at + O.x, true);
      }
      sink += sum;
    },
  },
  {
    group: 'read a nested field: cursor.seek(i); cursor.pos.lat',
    layout: () => {
      let sum = 0;
      for (let i = 0; i < COUNT; i++) {
        cursor.seek(i);
        sum += cursor.pos.lat;
      }
      sink += sum;
    },
    dataView: () => {
      let sum = 0;
      for (let i = 0; i < COUNT; i++) sum += dv.getFloat64(i * STRIDE + POS_LAT, true);
      sink += sum;
    },
  },
  {
    group: 'read a nested field, chained: cursor.seek(i).pos.lat',
    layout: () => {
      let sum = 0;
      for (let i = 0; i < COUNT; i++) sum += cursor.seek(i).pos.lat;
      sink += sum;
    },
    dataView: () => {
      let sum = 0;
      for (let i = 0; i < COUNT; i++) sum += dv.getFloat64(i * STRIDE + POS_LAT, true);
      sink += sum;
    },
  },
  {
    group: 'read u64 (bigint)',
    layout: () => {
      let sum = 0n;
      for (let i = 0; i < COUNT; i++) sum += cursor.seek(i).seq;
      sink += Number(sum & 1n);
    },
    dataView: () => {
      let sum = 0n;
      for (let i = 0; i < COUNT; i++) sum += dv.getBigUint64(i * STRIDE + O.seq, true);
      sink += Number(sum & 1n);
    },
  },
  {
    group: 'read utf8(16)',
    layout: () => {
      let length = 0;
      for (let i = 0; i < COUNT; i++) length += cursor.seek(i).name.length;
      sink += length;
    },
    dataView: () => {
      let length = 0;
      for (let i = 0; i < COUNT; i++) {
        const field = bytes.subarray(i * STRIDE + O.name, i * STRIDE + O.name + 16);
        const end = field.indexOf(0);
        length += decoder.decode(end === -1 ? field : field.subarray(0, end)).length;
      }
      sink += length;
    },
  },
  {
    group: 'array(u32) get(i) vs getUint32',
    layout: () => {
      let sum = 0;
      for (let i = 0; i < COUNT; i++) sum += ids.get(i);
      sink += sum;
    },
    dataView: () => {
      let sum = 0;
      for (let i = 0; i < COUNT; i++) sum += dv.getUint32(i * 4, true);
      sink += sum;
    },
  },
  {
    group: 'write u32 + f64 (layout marks pages dirty; DataView does not)',
    layout: () => {
      for (let i = 0; i < COUNT; i++) {
        cursor.seek(i);
        cursor.id = i;
        cursor.x = i * 0.5;
      }
    },
    dataView: () => {
      for (let i = 0; i < COUNT; i++) {
        const at = i * STRIDE;
        dv.setUint32(at + O.id, i, true);
        dv.setFloat64(at + O.x, i * 0.5, true);
      }
    },
  },
  {
    group: 'write u32 + f64, DataView then region.markDirty() per record',
    layout: () => {
      for (let i = 0; i < COUNT; i++) {
        cursor.seek(i);
        cursor.id = i;
        cursor.x = i * 0.5;
      }
    },
    dataView: () => {
      for (let i = 0; i < COUNT; i++) {
        const at = i * STRIDE;
        dv.setUint32(at + O.id, i, true);
        dv.setFloat64(at + O.x, i * 0.5, true);
        region.markDirty(at, 12);
      }
    },
  },
];

const samples = new Map();
for (let round = 0; round < rounds; round++) {
  const bench = new Bench({ time, warmupTime: 100 });
  for (const [index, task] of tasks.entries()) {
    // Alternate which side goes first, so drift hits both alike.
    const sides = round % 2 === 0 ? ['layout', 'dataView'] : ['dataView', 'layout'];
    for (const side of sides) bench.add(`${index}:${side}`, task[side]);
  }
  await bench.warmup();
  await bench.run();
  for (const t of bench.tasks) {
    const list = samples.get(t.name) ?? [];
    list.push((t.result.mean * 1e6) / COUNT);
    samples.set(t.name, list);
  }
  await region.flush();
}

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const rows = tasks.map((task, index) => {
  const layout = median(samples.get(`${index}:layout`));
  const dataView = median(samples.get(`${index}:dataView`));
  return {
    operation: task.group,
    layoutNs: layout,
    dataViewNs: dataView,
    ratio: layout / dataView,
  };
});

console.log(
  `Node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, ${rounds} rounds, median ns per record\n`,
);
console.log('| operation | layout (ns) | DataView (ns) | layout / DataView |');
console.log('|---|---:|---:|---:|');
for (const row of rows) {
  console.log(
    `| ${row.operation} | ${row.layoutNs.toFixed(2)} | ${row.dataViewNs.toFixed(2)} | ${row.ratio.toFixed(2)}x |`,
  );
}
if (opts.json !== undefined)
  writeFileSync(opts.json, JSON.stringify({ node: process.version, rounds, rows }, null, 2));
if (sink === 0.5) console.log('');

region.close();
rmSync(dir, { recursive: true, force: true });
