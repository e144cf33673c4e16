// Run by the demo's producer/consumer step: tails the queue in <dir> from its start,
// prints "ready" once its tailer is in place, then one JSON line per record
// ({ id, message, position }). Between records it sleeps in tailer.wait() (its slot's
// doorbell) until an append wakes it (no polling). It ends after <count> records, or
// fails when none comes for 5 s (the demo is gone).
import { Queue } from '@mapsync/ipc';

import { decodeRecord } from '../record.js';

const GIVE_UP_MS = 5000;
const [dir, countText] = process.argv.slice(2);
if (dir === undefined || countText === undefined)
  throw new Error('usage: record-consumer <dir> <count>');
const count = Number(countText);
const queue = Queue.open(dir);
const tailer = queue.tailer({ from: 'beginning' });
process.stdout.write('ready\n');

let seen = 0;
while (seen < count) {
  seen += tailer.readBatch(count - seen, (bytes, offset, length, position) => {
    const record = decodeRecord(bytes.subarray(offset, offset + length));
    process.stdout.write(`${JSON.stringify({ ...record, position })}\n`);
  });
  if (seen < count && !(await tailer.wait(GIVE_UP_MS))) {
    process.stderr.write(`no record ${seen + 1} after ${GIVE_UP_MS} ms\n`);
    process.exitCode = 1;
    break;
  }
}
queue.close();
