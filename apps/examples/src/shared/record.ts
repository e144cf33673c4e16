// typedef struct { int id; char message[56]; } Record;  — the guide's producer record,
// as a layout: packed exactly like the C struct, a 4-byte int, then 56 bytes of text,
// 60 bytes in all. It is the payload of each queue record; the producer and the
// consumer process encode and decode it at the layout's offsets.
import { i32, struct, utf8, type Value } from '@mapsync/region';

import { textBeforeNul } from '../support/text.js';

const Record = struct({ id: i32, message: utf8(56) });

export type RecordValue = Value<typeof Record>;

/** #define MAX_RECORDS 10 */
export const MAX_RECORDS = 10;

/** The id, then the message NUL-padded to 56 bytes (cut short if longer), as the C struct holds them. */
export function encodeRecord({ id, message }: RecordValue): Uint8Array {
  const bytes = new Uint8Array(Record.size);
  new DataView(bytes.buffer).setInt32(Record.offsets.id, id, true);
  new TextEncoder().encodeInto(message, bytes.subarray(Record.offsets.message));
  return bytes;
}

export function decodeRecord(bytes: Uint8Array): RecordValue {
  return {
    id: new DataView(bytes.buffer, bytes.byteOffset).getInt32(Record.offsets.id, true),
    message: textBeforeNul(bytes.subarray(Record.offsets.message, Record.size)),
  };
}
