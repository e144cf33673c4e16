// Guide, "producer process" (ipc_file.dat), through @mapsync/ipc: the guide's records
// appended one by one to a queue with durability 'record', so each is msync(MS_SYNC)ed
// before the next is written, while a consumer in another process
// (src/processes/record-consumer.ts) tails the same queue. Where the guide leaves the
// consumer "not shown" (it would have to poll the file for new records), the queue
// publishes each record atomically and wakes the consumer through a futex in its shared
// queue.meta file.
import { join } from 'node:path';

import { Queue } from '@mapsync/ipc';

import { MAX_RECORDS, encodeRecord, type RecordValue } from './shared/record.js';
import type { ClaimResult, ExampleContext } from './support/example.js';
import { median, micros, sleep } from './support/measure.js';
import { nextLine, startProgram, type RunningProgram } from './support/processes.js';

/** The smallest segment the queue allows; ten records take well under a kilobyte. */
const SEGMENT_SIZE = 64 * 1024;

type ConsumedRecord = RecordValue & { readonly position: number };

export interface Delivery {
  readonly record: RecordValue;
  /** Where append() put it. */
  readonly position: number;
  /** Where the queue ended, and up to where it was on disk, when append() returned. */
  readonly tailAfterAppend: number;
  readonly durableAfterAppend: number;
  /** What the consumer process printed for it, before the next record was appended. */
  readonly consumed: ConsumedRecord;
  /** From append() returning to the consumer's line arriving here. */
  readonly latencyMs: number;
}

export interface ProducerConsumerResult extends ClaimResult {
  readonly deliveries: readonly Delivery[];
}

async function nextConsumed(consumer: RunningProgram): Promise<ConsumedRecord> {
  return JSON.parse(await nextLine(consumer)) as ConsumedRecord;
}

function deliveredIntact({ record, position, consumed }: Delivery): boolean {
  return (
    consumed.id === record.id &&
    consumed.message === record.message &&
    consumed.position === position
  );
}

export async function producerConsumer(
  { dir, say }: ExampleContext,
  // usleep(100000): 100 ms between records, as in the guide.
  { delayMs = 100 }: { delayMs?: number } = {},
): Promise<ProducerConsumerResult> {
  // The guide's ipc_file.dat becomes a queue directory: queue.meta and segment files.
  const queueDir = join(dir, 'ipc_queue');
  const queue = Queue.open(queueDir, { durability: 'record', segmentSize: SEGMENT_SIZE });
  const consumer = startProgram('record-consumer', [queueDir, String(MAX_RECORDS), '5000']);
  try {
    if ((await nextLine(consumer)) !== 'ready') throw new Error('the consumer did not start');
    say(
      `Consumer process ${consumer.pid} tails ${queueDir}, asleep on a futex until a record is published`,
    );
    const deliveries: Delivery[] = [];
    for (let id = 1; id <= MAX_RECORDS; id++) {
      const record = { id, message: `Record ${id} from pid ${process.pid}` };
      // The record is written, its header word published, its bytes msync(MS_SYNC)ed;
      // only then does append() return, and wake the consumer.
      const position = queue.append(encodeRecord(record));
      const appended = performance.now();
      const { tail, durablePosition } = queue.stats();
      say(
        `Synced record ${id}: '${record.message}' (at position ${position}; the queue is on disk up to ${durablePosition})`,
      );
      // Seen arriving before the next record is written: each delivery on its own.
      const consumed = await nextConsumed(consumer);
      const latencyMs = performance.now() - appended;
      deliveries.push({
        record,
        position,
        tailAfterAppend: tail,
        durableAfterAppend: durablePosition,
        consumed,
        latencyMs,
      });
      say(`  the consumer's line for it arrived ${micros(latencyMs)} later`);
      await sleep(delayMs);
    }
    say('All records written and synced.');

    const exit = await consumer.exited;
    if (exit.code !== 0) throw new Error(`the consumer failed: ${exit.stderr}`);
    say(
      `From append() returning to the consumer's line arriving here: median ${micros(median(deliveries.map((d) => d.latencyMs)))}`,
    );

    const claim =
      'a consumer in another process receives every record, in order, as the producer syncs it, woken without polling';
    const holds = deliveries.every(
      (delivery) =>
        deliveredIntact(delivery) && delivery.durableAfterAppend >= delivery.tailAfterAppend,
    );
    return { claim, holds, deliveries };
  } finally {
    consumer.kill('SIGTERM');
    queue.close();
  }
}
