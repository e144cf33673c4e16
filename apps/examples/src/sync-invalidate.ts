// Guide, fourth program (db_page.dat): "full bidirectional sync" — one
// msync(MS_SYNC | MS_INVALIDATE) that pushes our record to disk and lets us see what
// other writers put in the file. Here another process really writes into the page
// (with write()) before the call, and a third process reads our record back.
import { join } from 'node:path';

import { openRegionSync, utf8, type FlushReport } from '@mapsync/region';

import { describeFlush } from './support/describe.js';
import type { ClaimResult, ExampleContext } from './support/example.js';
import { runProgram } from './support/processes.js';

const MAP_SIZE = 4096;
const Text = utf8(64);
const RECORD = 'DB_RECORD: id=42 value=99 checksum=0xDEAD';
/** Where the other writer puts its update: the second half of the same page. */
const EXTERNAL_OFFSET = 2048;
const EXTERNAL = 'DB_RECORD: id=43 value=7 (written by another process)';

export interface SyncInvalidateResult extends ClaimResult {
  readonly flush: FlushReport;
  /** Our record, as another process reads it from the file afterwards. */
  readonly recordInFile: string;
  /** The other writer's update, as our mapping shows it afterwards. */
  readonly externalInMapping: string;
}

export async function syncInvalidate({ dir, say }: ExampleContext): Promise<SyncInvalidateResult> {
  const path = join(dir, 'db_page.dat');
  const page = openRegionSync(path, { mode: 'rw', create: true, size: MAP_SIZE });
  try {
    page.set(Text, 0, RECORD); // snprintf(addr, MAP_SIZE, "DB_RECORD: ...")
    await runProgram('write-file', [path, String(EXTERNAL_OFFSET), EXTERNAL]);
    say(
      `We wrote '${RECORD}' at byte 0; another process wrote '${EXTERNAL}' at byte ${EXTERNAL_OFFSET} with write()`,
    );

    // msync(addr, MAP_SIZE, MS_SYNC | MS_INVALIDATE)
    const flush = await page.flush({ invalidate: true });
    say(`${describeFlush(flush)}: our data is on disk`);

    const externalInMapping = page.get(Text, EXTERNAL_OFFSET);
    const recordInFile = JSON.parse(
      await runProgram('read-file', [path, '0', String(Text.size)]),
    ) as string;
    say(`Record synced and cache refreshed: our mapping shows '${externalInMapping}'`);
    say(`Another process, with read(2): '${recordInFile}'`);

    const claim =
      "one msync(MS_SYNC | MS_INVALIDATE) makes our record durable and leaves the other writer's update visible to us";
    const holds =
      flush.method.startsWith('msync(MS_SYNC|MS_INVALIDATE)') &&
      recordInFile === RECORD &&
      externalInMapping === EXTERNAL;
    return { claim, holds, flush, recordInFile, externalInMapping };
  } finally {
    page.close();
  }
}
