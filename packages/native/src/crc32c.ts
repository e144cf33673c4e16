// CRC32C (Castagnoli) over bytes, on the CPU's crc32 instruction where it has one.
import { crc32cJs, crc32cJsRange } from './crc32c-js.js';
import { native } from './native.js';
import { checkBytes, checkSize } from './validate.js';

/** Inputs up to this length are hashed in JavaScript: cheaper than a call into the addon. */
const JS_CRC_MAX_LENGTH = 64;

/** True when the SSE4.2 crc32 instruction is used; false means the table fallback. */
export const crc32cHardware: boolean = native.crc32cHardware;

/**
 * CRC32C of `bytes`. Chainable: `crc32c(b, crc32c(a))` equals the CRC of a followed by b.
 * To checksum part of a buffer, pass a subarray (no copy).
 */
export function crc32c(bytes: Uint8Array, seed = 0): number {
  checkBytes(bytes, 'bytes');
  checkSize(seed, 'seed', 0xffffffff);
  return bytes.length <= JS_CRC_MAX_LENGTH ? crc32cJs(bytes, seed) : native.crc32c(bytes, seed);
}

/**
 * CRC32C of bytes[start, end) without making a view: for hot paths that checksum a
 * field of a larger buffer (a record header inside a mapped segment) once per record.
 */
export function crc32cRange(bytes: Uint8Array, start: number, end: number, seed = 0): number {
  checkBytes(bytes, 'bytes');
  checkSize(seed, 'seed', 0xffffffff);
  const from = checkSize(start, 'start', bytes.length);
  const to = checkSize(end, 'end', bytes.length, from);
  return to - from <= JS_CRC_MAX_LENGTH ? crc32cJsRange(bytes, from, to, seed) : native.crc32c(bytes.subarray(from, to), seed);
}
