// Guide, first program (journal.dat): a transaction record written through a
// MAP_SHARED mapping and made durable with msync(MS_SYNC) before going on — "database
// commits, safety-critical writes". In C: open + ftruncate + mmap, strcpy into the
// mapping, msync(addr, MAP_SIZE, MS_SYNC), munmap.
import { join } from 'node:path';

import { openRegion, utf8, type FlushReport } from '@mapsync/region';

import { describeFlush } from './support/describe.js';
import type { ClaimResult, ExampleContext } from './support/example.js';
import { runProgram } from './support/processes.js';

const MAP_SIZE = 4096;
const RECORD = 'TRANSACTION: debit account=1234 amount=500';
// The record as a zero-padded UTF-8 field at offset 0 (strcpy leaves a NUL after it).
const Text = utf8(64);

export interface JournalCommitResult extends ClaimResult {
  readonly record: string;
  /** What msync(MS_SYNC) covered. */
  readonly flush: FlushReport;
  /** What another process read from the file with read(2) after the flush. */
  readonly readByAnotherProcess: string;
}

export async function journalCommit({ dir, say }: ExampleContext): Promise<JournalCommitResult> {
  const path = join(dir, 'journal.dat');
  // open(O_CREAT) + ftruncate(MAP_SIZE) + mmap(MAP_SHARED). The region also reserves the
  // blocks (fallocate: a full disk is ENOSPC now, not SIGBUS on a later write) and syncs
  // the directory, so the new file's name survives a crash too.
  const journal = await openRegion(path, { mode: 'rw', create: true, size: MAP_SIZE });
  try {
    // strcpy(addr, "TRANSACTION: ..."): a write into the page cache; page 0 is now dirty.
    journal.set(Text, 0, RECORD);
    say(`Written to mapping: ${journal.get(Text, 0)}`);

    // msync(addr, MAP_SIZE, MS_SYNC): flush() syncs the dirty pages with MS_SYNC on a
    // thread-pool thread and resolves once the device has them.
    const flush = await journal.flush();
    say(`MS_SYNC done: ${describeFlush(flush)}. The record is on disk.`);

    const readByAnotherProcess = JSON.parse(
      await runProgram('read-file', [path, '0', String(Text.size)]),
    ) as string;
    say(`Another process, with read(2): ${readByAnotherProcess}`);

    const claim =
      'after msync(MS_SYNC) returns, the record is in the file: another process reading it with read() sees it';
    const holds =
      readByAnotherProcess === RECORD && flush.strategy === 'msync' && flush.bytes === MAP_SIZE;
    return { claim, holds, record: RECORD, flush, readByAnotherProcess };
  } finally {
    journal.close(); // munmap
  }
}
