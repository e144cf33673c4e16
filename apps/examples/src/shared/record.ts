// typedef struct { int id; char message[56]; } Record;  — the guide's producer record,
// as a layout that the producer and the consumer process both map. Packed exactly like
// the C struct: a 4-byte int, then 56 bytes of text, 60 bytes in all.
import { i32, struct, utf8 } from '@mapsync/region';

export const Record = struct({ id: i32, message: utf8(56) });

/** #define MAX_RECORDS 10 */
export const MAX_RECORDS = 10;
