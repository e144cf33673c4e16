// The guide's `struct { int id; char message[56]; }` as a layout, shared by the
// producer (the demo) and the consumer process.
import { i32, struct, utf8 } from '@mapsync/region';

export const Record = struct({ id: i32, message: utf8(56) });
