// Byte ranges a user names, checked against the region, and the page-aligned ranges
// the kernel wants (msync, madvise, mincore and mlock take a page-aligned start).
import { pageSize, validate, type ByteRange } from '@mapsync/native';

/** Part of a region: from `offset` (default 0), `length` bytes (default: to the end). */
export interface RangeOptions {
  readonly offset?: number;
  readonly length?: number;
}

/** Checks a user range against a region of `size` bytes, before any system call. */
export function checkedRange(
  options: RangeOptions | undefined,
  size: number,
  name = 'range',
): ByteRange {
  const opts = validate.checkObject(options, name);
  const offset = validate.checkSize(opts.offset ?? 0, `${name}.offset`);
  validate.checkRange(offset, 0, size, 'the region');
  const length =
    opts.length === undefined ? size - offset : validate.checkSize(opts.length, `${name}.length`);
  validate.checkRange(offset, length, size, 'the region');
  return { offset, length };
}

/**
 * The whole pages covering `range`: start rounded down to a page, end rounded up,
 * but never past the end of the region (the kernel maps the last partial page whole;
 * the mapping object only knows its own length).
 */
export function pageAligned(range: ByteRange, size: number): ByteRange {
  if (range.length === 0) return { offset: range.offset - (range.offset % pageSize), length: 0 };
  const start = Math.floor(range.offset / pageSize) * pageSize;
  const end = Math.min(Math.ceil((range.offset + range.length) / pageSize) * pageSize, size);
  return { offset: start, length: end - start };
}

/** True when `range` starts on a page and ends on a page or at the end of the region. */
export function isPageAligned(range: ByteRange, size: number): boolean {
  const end = range.offset + range.length;
  return range.offset % pageSize === 0 && (end % pageSize === 0 || end === size);
}
