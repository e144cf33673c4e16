// Guide, "Linux unified VM — one page cache, two access paths": process A uses mmap(),
// process B uses read()/write(), and each sees the other's bytes at once, with no
// msync anywhere. msync is about the disk, not about visibility between processes.
import { join } from 'node:path';

import { openRegionSync, utf8, type ByteRange } from '@mapsync/region';

import { describeRange } from './support/describe.js';
import type { ClaimResult, ExampleContext } from './support/example.js';
import { runProgram } from './support/processes.js';

const MAP_SIZE = 4096;
const Text = utf8(64);
const FROM_A = 'written by A into its mapping';
const FROM_B = 'written by B with write()';

export interface UnifiedPageCacheResult extends ClaimResult {
  /** What B read with read(2): A's mapped write, never msynced. */
  readonly bReadFromA: string;
  /** What A's mapping shows at byte 64 after B's write(2). */
  readonly aSawFromB: string;
  /** Still dirty at the end: proof that nothing was ever flushed. */
  readonly neverFlushed: readonly ByteRange[];
}

export async function unifiedPageCache({
  dir,
  say,
}: ExampleContext): Promise<UnifiedPageCacheResult> {
  const path = join(dir, 'unified.dat');
  const a = openRegionSync(path, { mode: 'rw', create: true, size: MAP_SIZE });
  try {
    a.set(Text, 0, FROM_A);
    say(`Process A (pid ${process.pid}) stored '${FROM_A}' at byte 0 of its mapping; no msync`);

    // Process B: read(fd, 64 bytes at 0), then write(fd, text at 64). It never maps the file.
    const bReadFromA = JSON.parse(await runProgram('page-cache-peer', [path, FROM_B])) as string;
    say(`Process B read(2) byte 0: '${bReadFromA}'`);

    const aSawFromB = a.get(Text, 64);
    say(`Process A's mapping at byte 64, right after B's write(2): '${aSawFromB}'`);

    const neverFlushed = a.dirtyRanges();
    say(
      `Pages A never flushed: ${neverFlushed.map(describeRange).join(', ')}: visibility needed no msync`,
    );

    const claim =
      'a mapping and read()/write() share one page cache: each process sees the other at once, without msync';
    const holds = bReadFromA === FROM_A && aSawFromB === FROM_B && neverFlushed.length === 1;
    return { claim, holds, bReadFromA, aSawFromB, neverFlushed };
  } finally {
    a.close(); // without flushing: this file was never meant to be durable
  }
}
