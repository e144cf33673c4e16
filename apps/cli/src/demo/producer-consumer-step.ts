// Step 4, the guide's producer and consumer through @mapsync/ipc: this process appends
// the guide's records to a queue with durability 'record' (each one msynced before
// append() returns); a consumer process tails the queue, asleep in tailer.wait() (its
// slot's doorbell) until an append wakes it. The step waits to see each record arrive
// before appending the next, so every delivery is seen on its own.
import { join } from 'node:path';

import { Queue } from '@mapsync/ipc';

import { formatDuration } from '../output.js';
import { nextLine, startChild, type Child } from './processes.js';
import { encodeRecord, type RecordValue } from './record.js';
import { ProofFailed, type DemoStep } from './step.js';

const RECORDS = 5;
/** The smallest segment @mapsync/ipc allows: the demo needs a few hundred bytes. */
const SEGMENT_SIZE = 64 * 1024;

type ConsumedRecord = RecordValue & { readonly position: number };

async function nextConsumed(consumer: Child): Promise<ConsumedRecord> {
  return JSON.parse(await nextLine(consumer, 'record-consumer')) as ConsumedRecord;
}

export const producerConsumerStep: DemoStep = {
  title: 'Producer and consumer: a queue between two processes',
  async run({ dir, say }) {
    const queueDir = join(dir, 'queue');
    const queue = Queue.open(queueDir, { durability: 'record', segmentSize: SEGMENT_SIZE });
    const consumer = startChild('record-consumer', [queueDir, String(RECORDS)]);
    try {
      if ((await nextLine(consumer, 'record-consumer')) !== 'ready')
        throw new ProofFailed('the consumer did not start');
      say(
        `consumer process ${consumer.pid} tails the queue, asleep (its tailer's doorbell) until a record is published`,
      );
      for (let id = 1; id <= RECORDS; id++) {
        const record = { id, message: `Record ${id} from pid ${process.pid}` };
        const position = queue.append(encodeRecord(record));
        const appended = performance.now();
        const { durablePosition, tail } = queue.stats();
        if (durablePosition < tail)
          throw new ProofFailed(`record ${id} was not on disk when append() returned`);
        const consumed = await nextConsumed(consumer);
        const latency = performance.now() - appended;
        if (
          consumed.id !== id ||
          consumed.message !== record.message ||
          consumed.position !== position
        ) {
          throw new ProofFailed(
            `the consumer read ${JSON.stringify(consumed)} where record ${id} was expected at position ${position}`,
          );
        }
        say(
          `record ${id} appended at position ${position}, on disk (msync) when append() returned; the consumer had it ${formatDuration(latency)} later`,
        );
      }
      const { code, stderr } = await consumer.exited;
      if (code !== 0) throw new ProofFailed(`the consumer failed: ${stderr.trim()}`);
      return `the consumer process read all ${RECORDS} records, in order, each as it was synced, woken by the append (no polling)`;
    } finally {
      consumer.kill('SIGTERM');
      queue.close();
    }
  },
};
