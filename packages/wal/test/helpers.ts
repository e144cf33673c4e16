import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

import { RECORDS_START, decodeRecordHeader, recordSpan, segmentBytes, takesLsn } from '../src/format.js';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/** A fresh directory under the package (the real disk), removed after the file's tests. */
export function scratchDir(): () => string {
  const root = mkdtempSync(join(packageRoot, '.test-'));
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });
  let n = 0;
  return () => join(root, `case-${++n}`);
}

export function payloadFor(lsn: number, length = 16 + (lsn % 200)): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (lsn * 31 + i * 7) & 0xff;
  return bytes;
}

/** Offset of the record with `lsn` (a data record) in a segment file, found by walking headers. */
export function recordOffset(segment: Uint8Array, lsn: number): number {
  const bytes = segmentBytes(segment);
  for (let at = RECORDS_START; ; ) {
    const decoded = decodeRecordHeader(bytes, at);
    if (!decoded.ok) throw new Error(`record ${lsn} not found`);
    if (decoded.header.lsn === lsn && takesLsn(decoded.header.type)) return at;
    at += recordSpan(decoded.header.payloadLength);
  }
}
