// `mapsync flush <file>`: make a file, or a range of it, durable, and say what was
// synced (the page-aligned range) and how long it took. Pages dirtied by any process
// — through a mapping or write() — are in the one page cache, so this covers them all.
import { resolve } from 'node:path';

import { Command, Option } from '@commander-js/extra-typings';
import { openRegionSync, pageSize, type ByteRange, type FlushStrategy } from '@mapsync/region';

import { byteCount, positiveByteCount } from '../arguments.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { existingFile } from '../files.js';
import { formatDuration, formatRange, printFields, printJson } from '../output.js';

const STRATEGIES = ['msync', 'fdatasync', 'fsync'] as const satisfies readonly FlushStrategy[];

export interface FlushFileReport {
  readonly path: string;
  readonly size: number;
  /** The range asked for (the whole file when none was given). */
  readonly requested: ByteRange;
  /** The page-aligned ranges synced. */
  readonly synced: readonly ByteRange[];
  readonly bytes: number;
  readonly via: FlushStrategy;
  /** The system calls made, e.g. "msync(MS_SYNC) x1" or "msync(MS_ASYNC) x1 + fdatasync". */
  readonly method: string;
  readonly calls: number;
  readonly durationMs: number;
}

function requestedRange(
  size: number,
  offset: number | undefined,
  length: number | undefined,
): ByteRange {
  const start = offset ?? 0;
  if (start >= size) {
    throw new CliError(
      'ERR_OUT_OF_RANGE',
      `--offset ${start} is not inside the file (${size} bytes)`,
      EXIT.usage,
    );
  }
  const requested = { offset: start, length: length ?? size - start };
  if (requested.offset + requested.length > size) {
    throw new CliError(
      'ERR_OUT_OF_RANGE',
      `--offset ${requested.offset} --length ${requested.length} ends past the end of the file (${size} bytes)`,
      EXIT.usage,
    );
  }
  return requested;
}

function flushFile(
  file: string,
  options: { offset?: number; length?: number; via: FlushStrategy },
): FlushFileReport {
  const path = resolve(file);
  const { size } = existingFile(path);
  if (size === 0)
    throw new CliError('ERR_EMPTY_FILE', `${path} is empty: there is nothing to flush`);
  const requested = requestedRange(size, options.offset, options.length);
  const region = openRegionSync(path, { mode: 'rw' });
  try {
    // Blocking is what a command wants here: the call is timed without a thread hop.
    const report = region.flushSync({ ...requested, strategy: options.via });
    return {
      path,
      size,
      requested,
      synced: report.ranges,
      bytes: report.bytes,
      via: report.strategy,
      method: report.method,
      calls: report.calls,
      // To the microsecond: finer digits are noise.
      durationMs: Math.round(report.durationMs * 1000) / 1000,
    };
  } finally {
    region.close();
  }
}

export function flushCommand() {
  return new Command('flush')
    .description(
      'make a file or a range of it durable, and report the range synced and the time it took',
    )
    .argument('<file>', 'the file to flush')
    .option('--offset <bytes>', 'start of the range (rounded down to a page)', byteCount)
    .option(
      '--length <bytes>',
      'length of the range (its end rounded up to a page); default: to the end of the file',
      positiveByteCount,
    )
    .addOption(
      new Option(
        '--via <method>',
        'msync: msync(MS_SYNC) of the range; fdatasync / fsync: msync(MS_ASYNC), then that call on the whole file',
      )
        .choices(STRATEGIES)
        .default('msync' as const),
    )
    .option('--json', 'print JSON (shape in the README)')
    .action((file, options) => {
      const report = flushFile(file, options);
      if (options.json === true) {
        printJson(report);
        return;
      }
      // The last range may end with the file, short of a page boundary.
      const pages = Math.ceil(report.bytes / pageSize);
      printFields([
        ['flushed', report.path],
        ['asked', formatRange(report.requested)],
        [
          'synced',
          `${report.synced.map(formatRange).join(', ')} (${pages} page${pages === 1 ? '' : 's'}, aligned)`,
        ],
        ['method', report.method],
        ['took', formatDuration(report.durationMs)],
      ]);
    });
}
