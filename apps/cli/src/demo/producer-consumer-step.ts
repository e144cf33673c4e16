// Step 4, the guide's producer and consumer: this process writes records into a mapped
// file, syncing each; a consumer process maps the same file and reads them as they
// appear. (@mapsync/ipc will add atomic publication and wake-ups.)
import { join } from 'node:path';

import { openRegion, type Value } from '@mapsync/region';

import { formatRange } from '../output.js';
import { nextLine, startChild } from './processes.js';
import { Record } from './record.js';
import { ProofFailed, type DemoStep } from './step.js';

const RECORDS = 5;
const PAUSE_MS = 20;

type RecordValue = Value<typeof Record>;

export const producerConsumerStep: DemoStep = {
  title: 'Producer and consumer: two processes, one mapped file',
  async run({ dir, say }) {
    const path = join(dir, 'ipc_file.dat');
    const producer = await openRegion(path, {
      mode: 'rw',
      create: true,
      size: RECORDS * Record.size,
    });
    const consumer = startChild('record-consumer', [path, String(RECORDS)]);
    try {
      if ((await nextLine(consumer, 'record-consumer')) !== 'ready')
        throw new ProofFailed('the consumer did not start');
      const consumed = (async () => {
        const seen: RecordValue[] = [];
        for await (const line of consumer.lines) seen.push(JSON.parse(line) as RecordValue);
        return seen;
      })();

      const record = producer.array(Record, { count: RECORDS }).cursor();
      const produced: RecordValue[] = [];
      for (let i = 0; i < RECORDS; i++) {
        record.seek(i);
        // The message first, the id last: the consumer takes a set id as "complete".
        record.message = `Record ${i + 1} from pid ${process.pid}`;
        record.id = i + 1;
        const report = await producer.flush({ offset: i * Record.size, length: Record.size });
        produced.push(record.toJSON());
        say(
          `synced record ${i + 1} (${report.ranges.map(formatRange).join(', ')}); consumer is process ${consumer.pid}`,
        );
        await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
      }
      const seen = await consumed;
      const { code, stderr } = await consumer.exited;
      if (code !== 0) throw new ProofFailed(`the consumer failed: ${stderr.trim()}`);
      if (JSON.stringify(seen) !== JSON.stringify(produced))
        throw new ProofFailed(`the consumer read ${JSON.stringify(seen)}`);
      return `the consumer process read all ${RECORDS} records, in order, as each was synced`;
    } finally {
      consumer.kill('SIGTERM');
      producer.close();
    }
  },
};
