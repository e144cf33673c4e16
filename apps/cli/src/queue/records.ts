// A queue record as `queue tail` prints it: for people, its text on a line of its own
// (base64 after a marker when it is not printable text, or is text with a line that
// starts with the marker); for scripts, one JSON object
// per line with its position, so that `--from` can start anywhere a record starts.
import { printableText } from '../payload.js';

/** Marks a line that holds a record's bytes in base64 because they are not printable text. */
const BINARY_MARKER = 'base64:';

export interface TailedRecord {
  /** Where the record starts: a value `--from` takes. */
  readonly position: number;
  /** Where the record after it starts. */
  readonly next: number;
  readonly length: number;
  /** The payload, base64. */
  readonly payload: string;
  /** The payload as text, when it is printable UTF-8; otherwise null. */
  readonly text: string | null;
}

export function tailedRecord(payload: Uint8Array, position: number, next: number): TailedRecord {
  return {
    position,
    next,
    length: payload.length,
    payload: Buffer.from(payload).toString('base64'),
    text: printableText(payload),
  };
}

export function recordLine(record: TailedRecord, json: boolean): string {
  if (json) return JSON.stringify(record);
  // Text with a line that starts with the marker goes in base64 too: a line that
  // starts with it then always holds base64.
  const { text } = record;
  const looksMarked =
    text?.startsWith(BINARY_MARKER) === true || text?.includes(`\n${BINARY_MARKER}`) === true;
  return text !== null && !looksMarked ? text : `${BINARY_MARKER}${record.payload}`;
}
