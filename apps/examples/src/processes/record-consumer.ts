// The guide's consumer ("not shown" there): another process maps ipc_file.dat
// read-only and reads the records as the producer publishes them. It prints "ready"
// once it has mapped the file, then one JSON line per record, in order, and ends after
// <count> records, or fails after <timeoutMs> without a new one.
import { openRegionSync } from '@mapsync/region';

import { Record } from '../shared/record.js';
import { sleep } from '../support/measure.js';
import { programArguments } from './arguments.js';

const args = programArguments('path', 'count', 'timeoutMs');
const count = Number(args.count);
// Read-only: the region has no write or flush methods at all.
const region = openRegionSync(args.path);
const record = region.array(Record, { count }).cursor();
console.log('ready');

let deadline = Date.now() + Number(args.timeoutMs);
for (let next = 0; next < count;) {
  record.seek(next);
  // The producer writes the message first and the id last, so a record whose id is
  // set is complete. (@mapsync/ipc will do this with an atomic header word.)
  if (record.id === next + 1) {
    console.log(JSON.stringify({ id: record.id, message: record.message }));
    next++;
    deadline = Date.now() + Number(args.timeoutMs);
  } else if (Date.now() > deadline) {
    console.error(`no record ${next + 1} after ${args.timeoutMs} ms`);
    process.exitCode = 1;
    break;
  } else {
    await sleep(1);
  }
}
region.close();
