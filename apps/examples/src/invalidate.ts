// Guide, third program (shared.dat): process A maps the file, process B changes it
// with write(), and A calls msync(MS_INVALIDATE) "so it re-reads the file". In the
// guide B is simulated in the same process; here B is a real process. On Linux the
// mapping shows B's bytes even before MS_INVALIDATE (one page cache for mmap and
// read/write); the call is kept for systems without a unified page cache.
import { join } from 'node:path';

import { openRegionSync, utf8 } from '@mapsync/region';

import type { ClaimResult, ExampleContext } from './support/example.js';
import { runProgram } from './support/processes.js';

const MAP_SIZE = 256;
const Text = utf8(32);
const INITIAL = 'INITIAL DATA';
const UPDATED = 'UPDATED BY WRITER';

export interface InvalidateResult extends ClaimResult {
  readonly before: string;
  /** What the mapping showed after B's write(), before msync(MS_INVALIDATE). */
  readonly afterWriteBeforeInvalidate: string;
  readonly afterInvalidate: string;
}

export async function invalidate({ dir, say }: ExampleContext): Promise<InvalidateResult> {
  const path = join(dir, 'shared.dat');
  const shared = openRegionSync(path, { mode: 'rw', create: true, size: MAP_SIZE });
  try {
    shared.set(Text, 0, INITIAL); // memcpy(addr, "INITIAL DATA", 13)
    const before = shared.get(Text, 0);
    say(`Before external write: '${before}'`);

    // Process B: lseek(fd, 0, SEEK_SET); write(fd, "UPDATED BY WRITER", 18)
    await runProgram('write-file', [path, '0', UPDATED]);
    const afterWriteBeforeInvalidate = shared.get(Text, 0);
    say(
      `After B's write(), before MS_INVALIDATE: '${afterWriteBeforeInvalidate}' (Linux: already visible)`,
    );

    // msync(addr, MAP_SIZE, MS_INVALIDATE): portable code calls it; on Linux it changes
    // nothing (it would fail with EBUSY on mlocked pages).
    shared.invalidate();
    const afterInvalidate = shared.get(Text, 0);
    say(`After MS_INVALIDATE: '${afterInvalidate}'`);

    const claim =
      "after msync(MS_INVALIDATE) the mapping shows another process's write(); on Linux it showed it even before";
    const holds = afterInvalidate === UPDATED && afterWriteBeforeInvalidate === UPDATED;
    return { claim, holds, before, afterWriteBeforeInvalidate, afterInvalidate };
  } finally {
    shared.close();
  }
}
