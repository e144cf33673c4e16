// Guide, second program (log.dat): a log entry written through the mapping, then
// msync(MS_ASYNC) — "returns immediately" — and later fsync() for a hard flush.
// What this shows on Linux: MS_ASYNC writes nothing (a no-op since 2.6.19; the page
// stays dirty), another process's read() sees the entry anyway (one page cache), and
// only the fsync makes it durable.
import { join } from 'node:path';

import { openRegionSync, utf8, type ByteRange, type FlushReport } from '@mapsync/region';

import { describeFlush, describeRange } from './support/describe.js';
import type { ClaimResult, ExampleContext } from './support/example.js';
import { median, micros, timed } from './support/measure.js';
import { runProgram } from './support/processes.js';

const MAP_SIZE = 4096;
const Text = utf8(64);
const ASYNC_CALLS = 100;

export interface AsyncLogResult extends ClaimResult {
  readonly entry: string;
  readonly asyncMs: number;
  /** The dirty pages right after msync(MS_ASYNC): still there, nothing was written. */
  readonly dirtyAfterAsync: readonly ByteRange[];
  /** What another process read with read(2) before any flush. */
  readonly readBeforeFsync: string;
  readonly fsync: FlushReport;
  readonly dirtyAfterFsync: readonly ByteRange[];
}

export async function asyncLog({ dir, say }: ExampleContext): Promise<AsyncLogResult> {
  const path = join(dir, 'log.dat');
  const log = openRegionSync(path, { mode: 'rw', create: true, size: MAP_SIZE });
  try {
    // snprintf(addr, MAP_SIZE, "LOG: process started pid=%d", getpid())
    const entry = `LOG: process started pid=${process.pid}`;
    log.set(Text, 0, entry);
    say(`Written: ${entry}`);

    // msync(addr, MAP_SIZE, MS_ASYNC): region.schedule() over the dirty pages. Timed as
    // the median of many calls: the first call of anything in a process pays for warm-up.
    const asyncMs = median(
      Array.from(
        { length: ASYNC_CALLS },
        () =>
          timed(() => {
            log.schedule();
          }).ms,
      ),
    );
    const dirtyAfterAsync = log.dirtyRanges();
    say(
      `MS_ASYNC returned after ${micros(asyncMs)} (median of ${ASYNC_CALLS} calls): we did not block, nor did ` +
        `the kernel write anything (a no-op since Linux 2.6.19); still dirty: ${dirtyAfterAsync.map(describeRange).join(', ')}`,
    );

    // "The changes are visible to other processes doing read() on the file right away":
    // true, but because mmap and read() share one page cache, not because of MS_ASYNC.
    const readBeforeFsync = JSON.parse(
      await runProgram('read-file', [path, '0', String(Text.size)]),
    ) as string;
    say(`Another process, with read(2), before any fsync: ${readBeforeFsync}`);

    // open("log.dat", O_RDONLY) + fsync(fd2): any descriptor of the file will do; the
    // region uses its own. strategy 'fsync' is msync(MS_ASYNC) per range, then fsync(fd).
    const fsync = await log.flush({ strategy: 'fsync' });
    const dirtyAfterFsync = log.dirtyRanges();
    say(`fsync() after MS_ASYNC: ${describeFlush(fsync)}. Now on disk.`);

    const claim =
      'MS_ASYNC returns at once without writing; read() in another process sees the entry anyway; fsync() makes it durable';
    const holds =
      dirtyAfterAsync.length === 1 &&
      readBeforeFsync === entry &&
      fsync.method.endsWith('+ fsync') &&
      dirtyAfterFsync.length === 0;
    return {
      claim,
      holds,
      entry,
      asyncMs,
      dirtyAfterAsync,
      readBeforeFsync,
      fsync,
      dirtyAfterFsync,
    };
  } finally {
    log.close();
  }
}
