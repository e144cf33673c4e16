// Process B of the redo-log example: runs transactions through a PageStore, forever,
// printing "ack <n>" the moment transaction n is durable (its redo record written to the log and fdatasynced).
// The example kills it with SIGKILL in the middle of this loop. Every 10 transactions
// it checkpoints: data pages flushed, then the log trimmed.
import { PageStore } from '@mapsync/wal';

import { STORE_SIZE, readState, writesOf } from '../shared/bank.js';
import { programArguments } from './arguments.js';

const { dir } = programArguments('dir');
const store = PageStore.open(dir, { size: STORE_SIZE });
let { last, balances } = readState((offset, length) => store.read(offset, length));

for (;;) {
  const n = last + 1;
  const writes = writesOf(n, balances);
  // 1-2: the writes become one redo record in the mapped log, msync(MS_SYNC)ed;
  // 3: only then are they copied into the data pages. Resolves after step 2.
  await store.transaction((tx) => {
    for (const { offset, bytes } of writes) tx.write(offset, bytes);
  });
  console.log(`ack ${n}`);
  ({ last, balances } = readState((offset, length) => store.read(offset, length)));
  // 4: data pages flushed at checkpoint; the log before it can go.
  if (n % 10 === 0) await store.checkpoint();
}
