// Guide, "producer process" (ipc_file.dat): records written one by one through the
// mapping, each msync(MS_SYNC)ed before the next, while a consumer in another process
// maps the same file and reads them as they appear. The consumer is a real process
// (src/processes/record-consumer.ts) that maps the file read-only with
// @mapsync/region; @mapsync/ipc will add atomic publication and wake-ups.
import { join } from 'node:path';

import { openRegion, type ByteRange, type Value } from '@mapsync/region';

import { MAX_RECORDS, Record } from './shared/record.js';
import { describeRange } from './support/describe.js';
import type { ClaimResult, ExampleContext } from './support/example.js';
import { sleep } from './support/measure.js';
import { nextLine, startProgram, type RunningProgram } from './support/processes.js';

type RecordValue = Value<typeof Record>;

export interface ProducerConsumerResult extends ClaimResult {
  readonly produced: readonly RecordValue[];
  /** The records the consumer process printed, in the order it saw them. */
  readonly consumed: readonly RecordValue[];
  /** For each record, the bytes asked to sync and the page-aligned range synced. */
  readonly flushes: readonly { readonly asked: ByteRange; readonly synced: readonly ByteRange[] }[];
}

async function collect(consumer: RunningProgram): Promise<RecordValue[]> {
  const seen: RecordValue[] = [];
  for await (const line of consumer.lines) seen.push(JSON.parse(line) as RecordValue);
  return seen;
}

export async function producerConsumer(
  { dir, say }: ExampleContext,
  // usleep(100000): 100 ms between records, as in the guide.
  { delayMs = 100 }: { delayMs?: number } = {},
): Promise<ProducerConsumerResult> {
  const path = join(dir, 'ipc_file.dat');
  // MAP_SIZE: the guide reserves 64 bytes a record, but sizeof(Record) is 60.
  const producer = await openRegion(path, {
    mode: 'rw',
    create: true,
    size: MAX_RECORDS * Record.size,
  });
  const consumer = startProgram('record-consumer', [path, String(MAX_RECORDS), '5000']);
  try {
    if ((await nextLine(consumer)) !== 'ready') throw new Error('the consumer did not start');
    say(`Consumer process ${consumer.pid} has mapped ${path} read-only and is watching it`);
    const consumed = collect(consumer);

    const records = producer.array(Record, { count: MAX_RECORDS });
    const record = records.cursor();
    const produced: RecordValue[] = [];
    const flushes: ProducerConsumerResult['flushes'][number][] = [];
    for (let i = 0; i < MAX_RECORDS; i++) {
      record.seek(i);
      // The message first, the id last: the consumer takes a non-zero id to mean the
      // record is complete. (The guide sets the id first; a consumer could then read
      // an id with half a message.)
      record.message = `Record ${i + 1} from pid ${process.pid}`;
      record.id = i + 1;
      // msync(&records[i], sizeof(Record), MS_SYNC): the region rounds the start down to
      // a page and the end up (but not past the end of the file), and reports the range.
      const asked = { offset: i * Record.size, length: Record.size };
      const report = await producer.flush(asked);
      flushes.push({ asked, synced: report.ranges });
      produced.push(record.toJSON());
      say(
        `Synced record ${record.id}: '${record.message}' (asked ${describeRange(asked)}, synced ${report.ranges.map(describeRange).join(', ')})`,
      );
      await sleep(delayMs);
    }
    say('All records written and synced.');

    const seen = await consumed;
    const exit = await consumer.exited;
    if (exit.code !== 0) throw new Error(`the consumer failed: ${exit.stderr}`);
    say(
      `The consumer read ${seen.length} records as they appeared: ${seen.map((r) => r.id).join(', ')}`,
    );

    const claim =
      'a consumer in another process reads every record, in order, as the producer syncs it';
    const holds = JSON.stringify(seen) === JSON.stringify(produced);
    return { claim, holds, produced, consumed: seen, flushes };
  } finally {
    consumer.kill('SIGTERM');
    producer.close();
  }
}
