// Run by the demo's crash step: transactions through a PageStore in <dir>, forever,
// printing "ack <n>" once transaction n is durable. The demo kills it with SIGKILL.
import { PageStore } from '@mapsync/wal';

import { STORE_SIZE, readState, writesOf } from '../bank.js';

const [dir] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: bank-writer <dir>');
const store = PageStore.open(dir, { size: STORE_SIZE });
const read = (offset: number, length: number): Uint8Array => store.read(offset, length);

for (let state = readState(read); ; state = readState(read)) {
  const n = state.last + 1;
  const writes = writesOf(n, state.balances);
  // Resolves once the redo record is msynced; the data pages are written right after.
  await store.transaction((tx) => {
    for (const { offset, bytes } of writes) tx.write(offset, bytes);
  });
  process.stdout.write(`ack ${n}\n`);
  if (n % 10 === 0) await store.checkpoint();
}
