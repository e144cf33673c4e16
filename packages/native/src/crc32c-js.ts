// CRC32C in JavaScript, slicing-by-8, for short inputs. A call into the addon costs
// ~110 ns on this project's test machine before a byte is hashed, more than the whole
// checksum of a 32-byte record header here (~40 ns); above ~100 bytes the addon's
// crc32 instruction wins. Record framing in the log and the queue hashes short
// ranges on every append, so both paths exist.
const POLY = 0x82f63b78;

/** TABLE[k * 256 + b]: the CRC of byte b followed by k zero bytes. */
const TABLE = buildTable();

function buildTable(): Int32Array {
  const table = new Int32Array(8 * 256);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    table[b] = c;
  }
  for (let b = 0; b < 256; b++) {
    let c = table[b] ?? 0;
    for (let k = 1; k < 8; k++) {
      c = (table[c & 0xff] ?? 0) ^ (c >>> 8);
      table[k * 256 + b] = c;
    }
  }
  return table;
}

/** Same result as the addon's crc32c(bytes, seed); meant for short inputs. */
export function crc32cJs(bytes: Uint8Array, seed: number): number {
  return crc32cJsRange(bytes, 0, bytes.length, seed);
}

/**
 * The same over bytes[start, end), without making a view. The caller keeps the range
 * inside `bytes`. Every index below is then in range by construction; the `?? 0` only
 * satisfies the type checker — and measured twice as fast here as `as number`, which
 * leaves V8 to allow for undefined in every XOR.
 */
export function crc32cJsRange(bytes: Uint8Array, start: number, end: number, seed: number): number {
  const t = TABLE;
  let c = ~seed;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const lo =
      c ^
      ((bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24));
    c =
      (t[1792 + (lo & 0xff)] ?? 0) ^
      (t[1536 + ((lo >>> 8) & 0xff)] ?? 0) ^
      (t[1280 + ((lo >>> 16) & 0xff)] ?? 0) ^
      (t[1024 + (lo >>> 24)] ?? 0) ^
      (t[768 + (bytes[i + 4] ?? 0)] ?? 0) ^
      (t[512 + (bytes[i + 5] ?? 0)] ?? 0) ^
      (t[256 + (bytes[i + 6] ?? 0)] ?? 0) ^
      (t[bytes[i + 7] ?? 0] ?? 0);
  }
  for (; i < end; i++) c = (t[(c ^ (bytes[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  return ~c >>> 0;
}
