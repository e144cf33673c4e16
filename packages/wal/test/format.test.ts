import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  RECORD_HEADER_SIZE,
  RecordType,
  SEGMENT_HEADER_SIZE,
  decodeRecordHeader,
  decodeSegmentHeader,
  encodeRecord,
  encodeSegmentHeader,
  parseSegmentFileName,
  payloadMatches,
  recordSpan,
  segmentBytes,
  segmentFileName,
} from '../src/format.js';

describe('segment header', () => {
  it('round-trips and rejects any single flipped bit', () => {
    const bytes = new Uint8Array(SEGMENT_HEADER_SIZE);
    const header = { epoch: 0xdeadbeef, segmentNumber: 2 ** 40 + 3, firstLsn: 0, segmentSize: 2 ** 33 };
    encodeSegmentHeader(header, bytes);
    expect(decodeSegmentHeader(bytes)).toEqual({ ok: true, header });
    for (let bit = 0; bit < SEGMENT_HEADER_SIZE * 8; bit++) {
      const flipped = bytes.slice();
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      expect(decodeSegmentHeader(flipped).ok).toBe(false);
    }
  });

  it('tells a file that is not a segment', () => {
    expect(decodeSegmentHeader(new Uint8Array(64))).toEqual({ ok: false, problem: 'not-a-segment' });
    expect(decodeSegmentHeader(new Uint8Array(10))).toEqual({ ok: false, problem: 'not-a-segment' });
  });
});

describe('records', () => {
  it('round-trip any payload at any aligned position', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 500 }),
        fc.nat({ max: 100 }),
        fc.integer({ min: 1, max: 2 ** 50 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        (payload, slot, lsn, epoch) => {
          const segment = segmentBytes(new Uint8Array(2048 + 1024));
          const at = slot * 8;
          const span = encodeRecord(segment, at, RecordType.data, epoch, lsn, lsn - 1, payload);
          expect(span).toBe(recordSpan(payload.length));
          expect(span % 8).toBe(0);
          const decoded = decodeRecordHeader(segment, at);
          expect(decoded).toEqual({
            ok: true,
            header: {
              type: RecordType.data,
              payloadLength: payload.length,
              epoch,
              lsn,
              payloadCrc: expect.any(Number) as number,
              durableLsn: lsn - 1,
            },
          });
          if (!decoded.ok) return;
          expect(payloadMatches(segment, at, decoded.header)).toBe(true);
          const start = at + RECORD_HEADER_SIZE;
          expect(segment.bytes.subarray(start, start + payload.length)).toEqual(payload);
        },
      ),
      { seed: 7, numRuns: 500 },
    );
  });

  it('never trusts a length before the header checksum passes', () => {
    const segment = segmentBytes(new Uint8Array(4096));
    encodeRecord(segment, 0, RecordType.data, 1, 1, 0, new Uint8Array(16).fill(7));
    segment.dv.setUint32(8, 2 ** 31, true); // a huge length, header checksum now stale
    expect(decodeRecordHeader(segment, 0)).toEqual({ ok: false, problem: 'header-checksum' });
  });

  it('detects a flipped payload bit, an unknown type, and an empty slot', () => {
    const segment = segmentBytes(new Uint8Array(4096));
    encodeRecord(segment, 0, RecordType.data, 1, 5, 4, new Uint8Array(40).fill(1));
    const decoded = decodeRecordHeader(segment, 0);
    if (!decoded.ok) throw new Error('expected a record');
    segment.bytes[RECORD_HEADER_SIZE + 3]! ^= 0x10;
    expect(payloadMatches(segment, 0, decoded.header)).toBe(false);
    expect(decodeRecordHeader(segment, 512)).toEqual({ ok: false, problem: 'empty' });
  });

  it('saturates the durable gap instead of wrapping', () => {
    const segment = segmentBytes(new Uint8Array(256));
    encodeRecord(segment, 0, RecordType.data, 1, 2 ** 40, 0, new Uint8Array(0));
    const decoded = decodeRecordHeader(segment, 0);
    expect(decoded.ok && decoded.header.durableLsn).toBe(2 ** 40 - (2 ** 32 - 1));
  });
});

describe('segment file names', () => {
  it('sort in segment order and parse back', () => {
    const names = [1, 15, 16, 2 ** 40].map(segmentFileName);
    expect([...names].sort()).toEqual(names);
    expect(names.map(parseSegmentFileName)).toEqual([1, 15, 16, 2 ** 40]);
    expect(parseSegmentFileName('wal-xyz.log')).toBeUndefined();
  });
});
