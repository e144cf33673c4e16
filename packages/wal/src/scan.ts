// Reads a log's segments from the volume and decides what the log is: where it
// ends, whether the end is a torn tail (writes that were never acknowledged, safe to
// drop) or damage to acknowledged records (refuse to open). Shared by recovery, by
// readers in other processes and by `inspectLog`.
//
// The proof of acknowledgement: every record carries the highest LSN that was durable
// when it was written. If any valid record found beyond the break says an LSN at or
// past the break was durable, the break destroyed acknowledged data: corruption.
// Otherwise nothing at or after the break can have been acknowledged by a flush that
// a later record saw, and the tail is truncated. A log written with
// guardMisdirectedWrites keeps a copy of the newest mark in each segment's header page
// too, so a stray page that destroys the newest records and their marks cannot hide it.
import { MapsyncError } from '@mapsync/native';

import { readAnchor } from './anchor.js';
import {
  RECORDS_START,
  RECORD_HEADER_SIZE,
  SEGMENT_HEADER_SIZE,
  SEGMENT_MAGIC,
  RecordType,
  decodeLsn,
  decodeRecordHeader,
  decodeSegmentHeader,
  parseSegmentFileName,
  payloadMatches,
  readMarkSlots,
  recordSpan,
  segmentBytes,
  takesLsn,
  type RecordProblem,
  type SegmentBytes,
  type SegmentHeader,
} from './format.js';
import { LOG_SEGMENT, type LogVolume, type SegmentFile } from './volume.js';

export interface ScannedSegment {
  readonly name: string;
  readonly file: SegmentFile;
  readonly bytes: SegmentBytes;
  readonly header: SegmentHeader;
  /** LSN of the first valid record, when there is one. */
  firstLsn: number | undefined;
  /** LSN of the last valid record (0 when there is none). */
  lastLsn: number;
  /** Offset just past the last valid record. */
  end: number;
  sealed: boolean;
}

export type BreakProblem = RecordProblem | 'epoch' | 'lsn';

export interface LogBreak {
  readonly segment: string;
  readonly segmentIndex: number;
  readonly offset: number;
  /** The LSN the next record should have had. */
  readonly lsn: number;
  readonly problem: BreakProblem;
}

export type Verdict = 'clean' | 'torn-tail' | 'corrupt';

export interface LogScan {
  readonly segments: ScannedSegment[];
  readonly firstLsn: number;
  /** The last LSN of the valid prefix (firstLsn - 1 when it is empty). */
  readonly lastLsn: number;
  readonly verdict: Verdict;
  readonly break: LogBreak | undefined;
  /** Where the next record goes: a segment index (== segments.length: a new segment) and offset. */
  readonly tail: { readonly segmentIndex: number; readonly offset: number };
  /** Highest durable LSN claimed by any valid record after the break, or a mark slot from its segment on. */
  readonly witnessedDurableLsn: number;
  /** Valid-looking records found after the break (dropped by truncation). */
  readonly recordsAfterBreak: number;
  /** The LSN of the newest checkpoint mark in the valid prefix, 0 if none. */
  readonly checkpointLsn: number;
  /** Names of temporary files and segments before the anchor: leftovers to delete. */
  readonly leftovers: string[];
}

/** Pages a misdirected write moves (the smallest page or block size in use). */
const IMAGE_STEP = 4096;
const MAGIC_FIRST_BYTE = SEGMENT_MAGIC.charCodeAt(0);

/** Thrown when a segment file itself (not a record in it) is unusable. */
function segmentError(volume: LogVolume, name: string, why: string): MapsyncError {
  return new MapsyncError('ECORRUPT', `log segment ${name} in ${volume.location} ${why}`, {
    path: `${volume.location}/${name}`,
  });
}

export function scanLog(volume: LogVolume, writable: boolean): LogScan {
  const anchor = readAnchor(volume);
  const leftovers: string[] = [];
  const numbered: [number, string][] = [];
  for (const name of volume.list()) {
    const number = parseSegmentFileName(name);
    if (number === undefined) {
      if (name.endsWith('.tmp') || name.endsWith('.next')) leftovers.push(name);
      continue;
    }
    if (number < anchor.firstSegment) leftovers.push(name);
    else numbered.push([number, name]);
  }
  numbered.sort((a, b) => a[0] - b[0]);

  const segments: ScannedSegment[] = [];
  try {
    for (const [number, name] of numbered) {
      const previous = segments.at(-1);
      if (previous !== undefined && number !== previous.header.segmentNumber + 1) {
        throw segmentError(volume, name, `follows segment ${previous.header.segmentNumber}: a segment is missing`);
      }
      const file = volume.open(name, writable, LOG_SEGMENT);
      const decoded = decodeSegmentHeader(file.bytes);
      if (!decoded.ok || decoded.header.segmentNumber !== number) {
        file.close();
        throw segmentError(volume, name, `has a bad header (${decoded.ok ? 'wrong number' : decoded.problem})`);
      }
      segments.push({
        name,
        file,
        bytes: segmentBytes(file.bytes),
        header: decoded.header,
        firstLsn: undefined,
        lastLsn: 0,
        end: RECORDS_START,
        sealed: false,
      });
    }
  } catch (error) {
    for (const s of segments) s.file.close();
    throw error;
  }
  return analyse(segments, anchor.firstLsn, leftovers);
}

interface ValidRecord {
  readonly lsn: number;
  readonly type: RecordType;
  readonly span: number;
  readonly durableLsn: number;
  readonly payloadAt: number;
}

type Step = { ok: true; record: ValidRecord } | { ok: false; problem: BreakProblem };

function readRecord(segment: ScannedSegment, at: number, expectedLsn: number | undefined): Step {
  const decoded = decodeRecordHeader(segment.bytes, at);
  if (!decoded.ok) return decoded;
  const h = decoded.header;
  if (h.epoch !== segment.header.epoch) return { ok: false, problem: 'epoch' };
  if (expectedLsn !== undefined && h.lsn !== (takesLsn(h.type) ? expectedLsn : expectedLsn - 1)) {
    return { ok: false, problem: 'lsn' };
  }
  if (!payloadMatches(segment.bytes, at, h)) return { ok: false, problem: 'payload-checksum' };
  return {
    ok: true,
    record: {
      lsn: h.lsn,
      type: h.type,
      span: recordSpan(h.payloadLength),
      durableLsn: h.durableLsn,
      payloadAt: at + RECORD_HEADER_SIZE,
    },
  };
}

/**
 * Whether the first page boundary at or after the break holds a copy of a segment header
 * of this log. A page that replaced the records there came from a misdirected write
 * (with guardMisdirectedWrites every flush writes a header page, and landing here it
 * takes the records and its own copy of their proof with it). Only that page: an image
 * further on destroyed nothing the log had, and one inside the records before the
 * break would have broken them.
 */
function headerImageAt(segments: ScannedSegment[], found: LogBreak): boolean {
  const segment = segments[found.segmentIndex];
  if (segment === undefined) return false;
  const { bytes } = segment.bytes;
  const at = Math.ceil(found.offset / IMAGE_STEP) * IMAGE_STEP;
  if (at + SEGMENT_HEADER_SIZE > bytes.length || bytes[at + 4] !== MAGIC_FIRST_BYTE) return false;
  const decoded = decodeSegmentHeader(bytes.subarray(at, at + SEGMENT_HEADER_SIZE));
  if (!decoded.ok) return false;
  const { epoch, segmentNumber } = decoded.header;
  return segments.some((s) => s.header.epoch === epoch && s.header.segmentNumber === segmentNumber);
}

function analyse(segments: ScannedSegment[], firstLsn: number, leftovers: string[]): LogScan {
  let expected = firstLsn;
  let checkpointLsn = 0;
  let found: LogBreak | undefined;
  for (const [index, segment] of segments.entries()) {
    let at = RECORDS_START;
    while (!segment.sealed) {
      const step = readRecord(segment, at, expected);
      if (!step.ok) {
        found = { segment: segment.name, segmentIndex: index, offset: at, lsn: expected, problem: step.problem };
        break;
      }
      const record = step.record;
      at += record.span;
      segment.end = at;
      if (record.type === RecordType.seal) segment.sealed = true;
      if (!takesLsn(record.type)) continue;
      segment.firstLsn ??= record.lsn;
      segment.lastLsn = record.lsn;
      if (record.type === RecordType.checkpoint) {
        checkpointLsn = decodeLsn(segment.bytes.bytes.subarray(record.payloadAt, record.payloadAt + 8));
      }
      expected = record.lsn + 1;
    }
    if (found !== undefined) break;
  }

  let witnessed = 0;
  let after = 0;
  if (found !== undefined) {
    // Look past the break for records that still validate (same segment epoch, any
    // LSN above the break): they are the only evidence of what was acknowledged.
    for (const [index, segment] of segments.entries()) {
      if (index < found.segmentIndex) continue;
      witnessed = Math.max(witnessed, readMarkSlots(segment.bytes, segment.header.epoch));
      const start = index === found.segmentIndex ? found.offset + 8 : RECORDS_START;
      for (let at = start; at + RECORD_HEADER_SIZE <= segment.bytes.bytes.length; at += 8) {
        if (segment.bytes.dv.getUint32(at + 12, true) !== segment.header.epoch) continue;
        const step = readRecord(segment, at, undefined);
        if (!step.ok || step.record.lsn < found.lsn) continue;
        if (takesLsn(step.record.type)) after++;
        witnessed = Math.max(witnessed, step.record.durableLsn);
      }
    }
  }

  // A complete record of this segment's epoch with the wrong LSN cannot come from a
  // torn write (a position is written once per epoch): it is a misdirected write. So is
  // a segment header where the records go on (headerImageAt).
  const misdirected =
    found !== undefined &&
    (found.problem === 'lsn' || headerImageAt(segments, found));
  // Zeros (never written) or a stale record of a recycled segment's previous epoch
  // end the log cleanly, provided nothing readable follows.
  const cleanEnd =
    found === undefined ||
    ((found.problem === 'empty' || found.problem === 'epoch') && after === 0 && witnessed < found.lsn && !misdirected);
  const tail =
    found === undefined
      ? { segmentIndex: segments.length, offset: RECORDS_START }
      : { segmentIndex: found.segmentIndex, offset: found.offset };
  const verdict: Verdict =
    found === undefined || cleanEnd
      ? 'clean'
      : misdirected || witnessed >= found.lsn
        ? 'corrupt'
        : 'torn-tail';
  return {
    segments,
    firstLsn,
    lastLsn: expected - 1,
    verdict,
    break: cleanEnd ? undefined : found,
    tail,
    witnessedDurableLsn: witnessed,
    recordsAfterBreak: after,
    checkpointLsn,
    leftovers,
  };
}
