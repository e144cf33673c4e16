// The on-disk format of the log: a segment header and framed records.
//
// Segment file: [segment header, 64 bytes][zeros to RECORDS_START][record][record]...
// With guardMisdirectedWrites the header page also holds two mark slots, at 512 and
// 1024 (separate sectors): [u32 crc32c of bytes 4..16][u32 epoch][u64 durable LSN].
// Record: [header, 32 bytes][payload][zero padding to 8 bytes]
//
// Record header (little endian):
//   0  u32 headerCrc      CRC32C of bytes 4..32: a length is never used before this passes
//   4  u8  type           RecordType; 0 never appears in a written record
//   5  u8  flags          reserved, 0
//   6  u16 reserved       0
//   8  u32 payloadLength
//  12  u32 epoch          the segment's epoch: stale bytes of a recycled segment do not match
//  16  u64 lsn            dense: each record's LSN is the previous one's plus 1; seal and
//                         mark records take no LSN of their own and repeat the previous one
//  24  u32 payloadCrc     CRC32C of the payload
//  28  u32 durableGap     lsn - (the highest LSN known durable when this record was written),
//                         saturated; recovery uses it to prove which records were acknowledged
import { crc32c, crc32cRange } from '@mapsync/native';

export const SEGMENT_MAGIC = 'MAPSYNCW';
export const FORMAT_VERSION = 1;
export const SEGMENT_HEADER_SIZE = 64;
/** Records start on their own page, so appends never dirty the header page. */
export const RECORDS_START = 4096;
export const RECORD_HEADER_SIZE = 32;
export const RECORD_ALIGNMENT = 8;

export const RecordType = {
  /** An application record (what `append` writes). */
  data: 1,
  /** A checkpoint mark: its payload is the LSN up to which state is durable elsewhere. */
  checkpoint: 2,
  /** The last record of a segment: the log continues in the next segment. */
  seal: 3,
  /**
   * Written after a flush: says every LSN up to its own is durable, so that recovery
   * can prove the last commit group was acknowledged (see scan.ts).
   */
  mark: 4,
} as const;
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

const knownTypes = new Set<number>(Object.values(RecordType));

export interface SegmentHeader {
  readonly epoch: number;
  readonly segmentNumber: number;
  readonly firstLsn: number;
  readonly segmentSize: number;
}

export interface RecordHeader {
  readonly type: RecordType;
  readonly payloadLength: number;
  readonly epoch: number;
  readonly lsn: number;
  readonly payloadCrc: number;
  /** The highest LSN that was durable when this record was written (a lower bound). */
  readonly durableLsn: number;
}

const magicBytes = new TextEncoder().encode(SEGMENT_MAGIC);

/** Seal and mark records repeat the previous LSN instead of taking a new one. */
export function takesLsn(type: RecordType): boolean {
  return type === RecordType.data || type === RecordType.checkpoint;
}

/** Bytes a record with `payloadLength` bytes of payload takes in a segment. */
export function recordSpan(payloadLength: number): number {
  return RECORD_HEADER_SIZE + Math.ceil(payloadLength / RECORD_ALIGNMENT) * RECORD_ALIGNMENT;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function encodeSegmentHeader(header: SegmentHeader, out: Uint8Array): void {
  out.fill(0, 0, SEGMENT_HEADER_SIZE);
  const dv = view(out);
  out.set(magicBytes, 4);
  dv.setUint16(12, FORMAT_VERSION, true);
  dv.setUint16(14, SEGMENT_HEADER_SIZE, true);
  dv.setUint32(16, header.epoch, true);
  setU64(dv, 24, header.segmentNumber);
  setU64(dv, 32, header.firstLsn);
  setU64(dv, 40, header.segmentSize);
  dv.setUint32(0, crc32c(out.subarray(4, SEGMENT_HEADER_SIZE)), true);
}

export type SegmentHeaderProblem = 'not-a-segment' | 'unsupported-version' | 'checksum';

/** Decodes a segment header, or says why the bytes are not one. */
export function decodeSegmentHeader(
  bytes: Uint8Array,
): { ok: true; header: SegmentHeader } | { ok: false; problem: SegmentHeaderProblem } {
  if (bytes.length < SEGMENT_HEADER_SIZE) return { ok: false, problem: 'not-a-segment' };
  for (let i = 0; i < magicBytes.length; i++) {
    if (bytes[4 + i] !== magicBytes[i]) return { ok: false, problem: 'not-a-segment' };
  }
  const dv = view(bytes);
  if (dv.getUint32(0, true) !== crc32c(bytes.subarray(4, SEGMENT_HEADER_SIZE))) {
    return { ok: false, problem: 'checksum' };
  }
  if (dv.getUint16(12, true) !== FORMAT_VERSION || dv.getUint16(14, true) !== SEGMENT_HEADER_SIZE) {
    return { ok: false, problem: 'unsupported-version' };
  }
  return {
    ok: true,
    header: {
      epoch: dv.getUint32(16, true),
      segmentNumber: getU64(dv, 24),
      firstLsn: getU64(dv, 32),
      segmentSize: getU64(dv, 40),
    },
  };
}

/**
 * The header page's mark slots: a second copy, on another page, of the durable LSN the
 * newest mark record carries. Two of them, written in turn, so a torn write of one
 * leaves the other; each in its own sector.
 */
export const MARK_SLOT_OFFSETS = [512, 1024] as const;
export const MARK_SLOT_SIZE = 16;

export function encodeMarkSlot(segment: SegmentBytes, slot: number, epoch: number, durableLsn: number): void {
  const at = MARK_SLOT_OFFSETS[slot % 2] ?? MARK_SLOT_OFFSETS[0];
  segment.dv.setUint32(at + 4, epoch, true);
  setU64(segment.dv, at + 8, durableLsn);
  segment.dv.setUint32(at, crc32cRange(segment.bytes, at + 4, at + MARK_SLOT_SIZE), true);
}

/** The highest durable LSN a valid mark slot of this epoch holds (0 if none). */
export function readMarkSlots(segment: SegmentBytes, epoch: number): number {
  let durable = 0;
  for (const at of MARK_SLOT_OFFSETS) {
    if (segment.dv.getUint32(at + 4, true) !== epoch) continue;
    if (segment.dv.getUint32(at, true) !== crc32cRange(segment.bytes, at + 4, at + MARK_SLOT_SIZE)) continue;
    durable = Math.max(durable, getU64(segment.dv, at + 8));
  }
  return durable;
}

/** Zeroes both mark slots (recovery, before LSNs past a dropped break are reused). */
export function clearMarkSlots(segment: SegmentBytes): void {
  for (const at of MARK_SLOT_OFFSETS) segment.bytes.fill(0, at, at + MARK_SLOT_SIZE);
}

/** One segment's bytes with the views the codec needs, made once per mapping. */
export interface SegmentBytes {
  readonly bytes: Uint8Array;
  readonly dv: DataView;
  /** For the atomic publish of each header's first word (records are 8-byte aligned). */
  readonly words: Int32Array;
}

export function segmentBytes(bytes: Uint8Array): SegmentBytes {
  return {
    bytes,
    dv: view(bytes),
    words: new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2),
  };
}

function setU64(dv: DataView, at: number, value: number): void {
  dv.setUint32(at, value >>> 0, true);
  dv.setUint32(at + 4, Math.floor(value / 2 ** 32), true);
}

function getU64(dv: DataView, at: number): number {
  return dv.getUint32(at + 4, true) * 2 ** 32 + dv.getUint32(at, true);
}

/**
 * Writes a record at `at`: payload first, header last, and the header's first word
 * (its checksum) with an atomic store, so a reader in another process that sees a
 * valid header checksum sees the whole record. Returns the bytes it took.
 */
export function encodeRecord(
  segment: SegmentBytes,
  at: number,
  type: RecordType,
  epoch: number,
  lsn: number,
  durableLsn: number,
  payload: Uint8Array,
): number {
  const { bytes, dv } = segment;
  const span = recordSpan(payload.length);
  const payloadAt = at + RECORD_HEADER_SIZE;
  bytes.set(payload, payloadAt);
  // At most 7 bytes of padding: a loop costs less than a call to fill().
  for (let i = payloadAt + payload.length; i < at + span; i++) bytes[i] = 0;
  bytes[at + 4] = type;
  bytes[at + 5] = 0;
  dv.setUint16(at + 6, 0, true);
  dv.setUint32(at + 8, payload.length, true);
  dv.setUint32(at + 12, epoch, true);
  setU64(dv, at + 16, lsn);
  dv.setUint32(at + 24, crc32c(payload), true);
  dv.setUint32(at + 28, Math.min(lsn - durableLsn, 0xffffffff), true);
  // No subarray: one view per record made the group-commit loop measurably slower.
  const headerCrc = crc32cRange(bytes, at + 4, at + RECORD_HEADER_SIZE);
  Atomics.store(segment.words, at >>> 2, headerCrc | 0);
  return span;
}

export type RecordProblem =
  | 'empty' // all-zero header: nothing was ever written here
  | 'header-checksum'
  | 'unknown-type'
  | 'length' // the length points past the end of the segment
  | 'payload-checksum';

/**
 * Reads the record header at `at` of a segment's bytes. Every field is checked before
 * any is used: the header checksum first, then type and length bounds.
 */
export function decodeRecordHeader(
  segment: SegmentBytes,
  at: number,
): { ok: true; header: RecordHeader } | { ok: false; problem: RecordProblem } {
  const { bytes, dv } = segment;
  if (at + RECORD_HEADER_SIZE > bytes.length) return { ok: false, problem: 'length' };
  const storedCrc = Atomics.load(segment.words, at >>> 2) >>> 0;
  if (storedCrc === 0 && isZero(bytes, at, RECORD_HEADER_SIZE)) return { ok: false, problem: 'empty' };
  if (storedCrc !== crc32cRange(bytes, at + 4, at + RECORD_HEADER_SIZE)) {
    return { ok: false, problem: 'header-checksum' };
  }
  const type = bytes[at + 4] ?? 0;
  if (!knownTypes.has(type)) return { ok: false, problem: 'unknown-type' };
  const payloadLength = dv.getUint32(at + 8, true);
  if (at + recordSpan(payloadLength) > bytes.length) return { ok: false, problem: 'length' };
  const lsn = getU64(dv, at + 16);
  return {
    ok: true,
    header: {
      type: type as RecordType,
      payloadLength,
      epoch: dv.getUint32(at + 12, true),
      lsn,
      payloadCrc: dv.getUint32(at + 24, true),
      durableLsn: Math.max(0, lsn - dv.getUint32(at + 28, true)),
    },
  };
}

export function payloadMatches(segment: SegmentBytes, at: number, header: RecordHeader): boolean {
  const start = at + RECORD_HEADER_SIZE;
  return crc32cRange(segment.bytes, start, start + header.payloadLength) === header.payloadCrc;
}

function isZero(bytes: Uint8Array, at: number, length: number): boolean {
  for (let i = at; i < at + length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** The checkpoint record's payload: one u64 LSN. */
export function encodeLsn(lsn: number): Uint8Array {
  const out = new Uint8Array(8);
  setU64(view(out), 0, lsn);
  return out;
}

export function decodeLsn(payload: Uint8Array): number {
  return getU64(view(payload), 0);
}

/** Segment file names sort in segment order: wal-0000000000000001.log. */
export function segmentFileName(segmentNumber: number): string {
  return `wal-${segmentNumber.toString(16).padStart(16, '0')}.log`;
}

export function parseSegmentFileName(name: string): number | undefined {
  const match = /^wal-([0-9a-f]{16})\.log$/.exec(name);
  return match?.[1] === undefined ? undefined : Number.parseInt(match[1], 16);
}
