// The on-disk format of a queue directory.
//
//   queue.meta        one page that never rolls: format, segment size, the append hint,
//                     the durable point, the wake-up word, tailer slots (see meta.ts)
//   q-<16 hex>.seg    fixed-size, preallocated segments of records
//   tailer-<NN>.bell  a FIFO per tailer slot, made by its first wait(): appenders ring
//                     it when that tailer sleeps (see meta.ts)
//
// Segment: [64-byte header][record][record]...[padding to the end]
// Record:  [u32 word][u32 check][payload][zero padding to 8 bytes]
//   word:  bit 31 INCOMPLETE  claimed, being written (check = the writer's pid)
//          bit 30 PADDING     skip `length` bytes (the rest of a segment, or a dead
//                             writer's abandoned record)
//          bit 29 HAS_CRC     check is the CRC32C of the payload
//          bit 28 RECORD      set in every claimed or published record, so that even an
//                             empty one has a non-zero word (zero means "nothing yet")
//          bits 0-27          payload length (for PADDING: bytes to skip, header included)
// A record is claimed by a compare-and-swap of its word from 0, written, then published
// by storing its word without INCOMPLETE, last: a reader never sees half a record.
import { crc32c } from '@mapsync/native';

export const META_FILE = 'queue.meta';
export const META_SIZE = 4096;
export const META_MAGIC = 'MSQUEUE1';
export const SEGMENT_MAGIC = 'MSQSEGM1';
// 2: tailers sleeping in wait() are woken by their doorbell (the `doorbells` bitmap in
// queue.meta); an appender of version 1 would not ring it.
// 3: an appender wakes futex sleepers once per sleep (the `woken` bitmap); a version-2
// tailer would not clear its bit before sleeping again, and would not be woken.
export const FORMAT_VERSION = 3;
export const SEGMENT_HEADER_SIZE = 64;
export const RECORD_HEADER_SIZE = 8;

export const INCOMPLETE = 0x80000000;
export const PADDING = 0x40000000;
export const HAS_CRC = 0x20000000;
export const RECORD = 0x10000000;
export const LENGTH_MASK = 0x0fffffff;

export const MIN_SEGMENT_SIZE = 64 * 1024;
/** Lengths live in 28 bits of the header word: 2^28 bytes is the most padding can skip. */
export const MAX_SEGMENT_SIZE = 256 * 1024 * 1024;

/** Bytes a record with `length` payload bytes occupies. */
export function recordSpan(length: number): number {
  return RECORD_HEADER_SIZE + ((length + 7) & ~7);
}

/** Bytes to skip for the record whose header word is `word` (non-zero). */
export function spanOfWord(word: number): number {
  const length = word & LENGTH_MASK;
  return (word & PADDING) !== 0 ? length : recordSpan(length);
}

export function segmentFileName(index: number): string {
  return `q-${index.toString(16).padStart(16, '0')}.seg`;
}

export function parseSegmentFileName(name: string): number | undefined {
  const match = /^q-([0-9a-f]{16})\.seg$/.exec(name);
  return match?.[1] === undefined ? undefined : Number.parseInt(match[1], 16);
}

const segmentMagic = new TextEncoder().encode(SEGMENT_MAGIC);

/** Segment header: magic, version, index, size, and a CRC32C over them. */
export function encodeSegmentHeader(index: number, size: number): Uint8Array {
  const out = new Uint8Array(SEGMENT_HEADER_SIZE);
  const dv = new DataView(out.buffer);
  out.set(segmentMagic, 4);
  dv.setUint32(12, FORMAT_VERSION, true);
  dv.setUint32(16, index >>> 0, true);
  dv.setUint32(20, Math.floor(index / 2 ** 32), true);
  dv.setUint32(24, size, true);
  dv.setUint32(0, crc32c(out.subarray(4, 32)), true);
  return out;
}

export function segmentHeaderProblem(bytes: Uint8Array, index: number, size: number): string | undefined {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, SEGMENT_HEADER_SIZE);
  for (let i = 0; i < segmentMagic.length; i++) {
    if (bytes[4 + i] !== segmentMagic[i]) return 'is not a queue segment';
  }
  if (dv.getUint32(0, true) !== crc32c(bytes.subarray(4, 32))) return 'has a damaged header';
  if (dv.getUint32(12, true) !== FORMAT_VERSION) return `has format version ${dv.getUint32(12, true)}, not ${FORMAT_VERSION}`;
  const stored = dv.getUint32(20, true) * 2 ** 32 + dv.getUint32(16, true);
  if (stored !== index) return `says it is segment ${stored}`;
  if (dv.getUint32(24, true) !== size) return `has size ${dv.getUint32(24, true)}, the queue uses ${size}`;
  return undefined;
}
