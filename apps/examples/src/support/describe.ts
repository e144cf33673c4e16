// Flush reports in words, so each example says which bytes were synced and how.
import type { ByteRange, FlushReport } from '@mapsync/region';

export function describeRange({ offset, length }: ByteRange): string {
  return `bytes ${offset}..${offset + length}`;
}

/** e.g. "msync(MS_SYNC) x1 over bytes 0..4096 in 0.21 ms". */
export function describeFlush(report: FlushReport): string {
  const ranges = report.ranges.map(describeRange).join(', ') || 'nothing';
  return `${report.method} over ${ranges} in ${report.durationMs.toFixed(2)} ms`;
}
