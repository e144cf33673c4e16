// CPU time per record of the queue's two halves in one process, without a second
// process in the way: appendBatch() of 64 into a fresh queue (what the producer of a
// flood costs, the kernel's share included: fresh page-cache pages for new segment
// files, faulted in by the appender's thread-pool thread), then readBatch() of the
// records just written (what a consumer costs at best: the records in this process's
// cache and mapping already). Every thread of the process counts (process.cpuUsage).
//
//   node bench/costs.mjs [--records 5000000] [--rounds 3]
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { Queue } from '@mapsync/ipc';
import { benchDir } from '@mapsync/bench-kit';

const { values: opts } = parseArgs({
  options: { records: { type: 'string', default: '5000000' }, rounds: { type: 'string', default: '3' } },
});
const records = Number(opts.records);
const scratch = benchDir(fileURLToPath(new URL('.', import.meta.url)));

/** Runs `work`, returning ns per record: wall, CPU (user + system) and system alone. */
function measure(work) {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  work();
  const wall = Number(process.hrtime.bigint() - started);
  const { user, system } = process.cpuUsage(cpu);
  return { wall: wall / records, cpu: ((user + system) * 1000) / records, system: (system * 1000) / records };
}

const ns = (v) => `${v.toFixed(1)} ns`;
console.log(`| round | appendBatch wall | CPU | of it system | readBatch wall | CPU | of it system |`);
console.log(`|---:|---:|---:|---:|---:|---:|---:|`);
try {
  for (let round = 1; round <= Number(opts.rounds); round++) {
    const dir = path.join(scratch.dir, `costs-${round}`);
    const queue = Queue.open(dir);
    const batch = Array.from({ length: 64 }, () => new Uint8Array(64));
    const append = measure(() => {
      for (let sent = 0; sent < records; sent += batch.length) queue.appendBatch(batch);
    });
    const tailer = queue.tailer({ from: 'beginning' });
    const ignore = () => {};
    const read = measure(() => {
      for (let got = 0; got < records; ) got += tailer.readBatch(4096, ignore);
    });
    console.log(`| ${round} | ${ns(append.wall)} | ${ns(append.cpu)} | ${ns(append.system)} | ${ns(read.wall)} | ${ns(read.cpu)} | ${ns(read.system)} |`);
    queue.close();
    rmSync(dir, { recursive: true, force: true });
  }
} finally {
  scratch.dispose();
}
