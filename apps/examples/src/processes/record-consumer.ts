// The guide's consumer ("not shown" there), through @mapsync/ipc: another process opens
// the producer's queue and tails it from the start. It prints "ready" once its tailer
// is in place, then one JSON line per record ({ id, message, position }), in order.
// Between records it sleeps on a futex in queue.meta until the producer's append wakes
// it: no polling. It ends after <count> records, or fails after <timeoutMs> without one.
import { Queue } from '@mapsync/ipc';

import { decodeRecord } from '../shared/record.js';
import { programArguments } from './arguments.js';

const args = programArguments('dir', 'count', 'timeoutMs');
const count = Number(args.count);
const queue = Queue.open(args.dir);
const tailer = queue.tailer({ from: 'beginning' });
console.log('ready');

let seen = 0;
while (seen < count) {
  // A record is handed over only once its header word is published, after its bytes:
  // never half a record.
  seen += tailer.readBatch(count - seen, (bytes, offset, length, position) => {
    const record = decodeRecord(bytes.subarray(offset, offset + length));
    console.log(JSON.stringify({ ...record, position }));
  });
  if (seen < count && !(await tailer.wait(Number(args.timeoutMs)))) {
    console.error(`no record ${seen + 1} after ${args.timeoutMs} ms`);
    process.exitCode = 1;
    break;
  }
}
queue.close();
