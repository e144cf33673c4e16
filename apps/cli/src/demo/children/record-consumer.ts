// Run by the demo's producer/consumer step: maps <path> read-only, prints "ready",
// then one JSON line per record as the producer publishes it (a non-zero id, written
// after the message), and ends after <count> records or 5 s without a new one.
import { openRegionSync } from '@mapsync/region';

import { Record } from '../record.js';

const GIVE_UP_MS = 5000;
const [path, countText] = process.argv.slice(2);
if (path === undefined || countText === undefined)
  throw new Error('usage: record-consumer <path> <count>');
const count = Number(countText);
const region = openRegionSync(path);
const record = region.array(Record, { count }).cursor();
process.stdout.write('ready\n');

let deadline = Date.now() + GIVE_UP_MS;
for (let next = 0; next < count;) {
  record.seek(next);
  if (record.id === next + 1) {
    process.stdout.write(`${JSON.stringify(record.toJSON())}\n`);
    next++;
    deadline = Date.now() + GIVE_UP_MS;
  } else if (Date.now() > deadline) {
    process.stderr.write(`no record ${next + 1} after ${GIVE_UP_MS} ms\n`);
    process.exitCode = 1;
    break;
  } else {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
region.close();
