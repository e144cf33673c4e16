// The guide's `struct { int id; char message[56]; }`, the payload of each queue record
// in the producer/consumer step: the layout fixes its bytes (id at 0, little-endian;
// the message NUL-padded after it), and both processes encode and decode through it.
import { i32, struct, utf8, type Value } from '@mapsync/region';

const Record = struct({ id: i32, message: utf8(56) });

export type RecordValue = Value<typeof Record>;

export function encodeRecord({ id, message }: RecordValue): Uint8Array {
  const bytes = new Uint8Array(Record.size);
  new DataView(bytes.buffer).setInt32(Record.offsets.id, id, true);
  new TextEncoder().encodeInto(message, bytes.subarray(Record.offsets.message));
  return bytes;
}

export function decodeRecord(bytes: Uint8Array): RecordValue {
  const message = bytes.subarray(Record.offsets.message, Record.size);
  const end = message.indexOf(0);
  return {
    id: new DataView(bytes.buffer, bytes.byteOffset).getInt32(Record.offsets.id, true),
    message: new TextDecoder().decode(end === -1 ? message : message.subarray(0, end)),
  };
}
