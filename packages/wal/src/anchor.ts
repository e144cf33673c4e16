// The log's anchor: which segment and LSN the log starts at. Written (atomically, by
// temporary file and rename) only when old segments are dropped, so that recovery
// knows the first LSN even after the records before it are gone.
import { MapsyncError, crc32c } from '@mapsync/native';

import type { LogVolume } from './volume.js';

export const ANCHOR_FILE = 'wal.anchor';
const ANCHOR_SIZE = 24;

export interface Anchor {
  readonly firstSegment: number;
  readonly firstLsn: number;
}

export const initialAnchor: Anchor = { firstSegment: 0, firstLsn: 1 };

export function readAnchor(volume: LogVolume): Anchor {
  if (!volume.list().includes(ANCHOR_FILE)) return initialAnchor;
  const file = volume.open(ANCHOR_FILE, false);
  try {
    const bytes = file.bytes;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.length < ANCHOR_SIZE || dv.getUint32(0, true) !== crc32c(bytes.subarray(4, ANCHOR_SIZE))) {
      throw new MapsyncError('ECORRUPT', `the log anchor ${ANCHOR_FILE} in ${volume.location} is damaged`);
    }
    return {
      firstSegment: dv.getUint32(12, true) * 2 ** 32 + dv.getUint32(8, true),
      firstLsn: dv.getUint32(20, true) * 2 ** 32 + dv.getUint32(16, true),
    };
  } finally {
    file.close();
  }
}

export function writeAnchor(volume: LogVolume, anchor: Anchor): void {
  const bytes = new Uint8Array(ANCHOR_SIZE);
  const dv = new DataView(bytes.buffer);
  dv.setUint32(8, anchor.firstSegment >>> 0, true);
  dv.setUint32(12, Math.floor(anchor.firstSegment / 2 ** 32), true);
  dv.setUint32(16, anchor.firstLsn >>> 0, true);
  dv.setUint32(20, Math.floor(anchor.firstLsn / 2 ** 32), true);
  dv.setUint32(0, crc32c(bytes.subarray(4)), true);
  const staged = `${ANCHOR_FILE}.next`;
  if (volume.list().includes(staged)) volume.remove(staged);
  volume.create(staged, ANCHOR_SIZE, bytes).close();
  volume.rename(staged, ANCHOR_FILE);
}
