import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { crc32cJs } from '../src/crc32c-js.js';
import { crc32c, crc32cRange } from '../src/index.js';
import { native } from '../src/native.js';

// RFC 3720 (iSCSI) appendix B.4, plus the common "123456789" check value.
const vectors: [string, Uint8Array, number][] = [
  ['123456789', new TextEncoder().encode('123456789'), 0xe3069283],
  ['32 bytes of 0x00', new Uint8Array(32), 0x8a9136aa],
  ['32 bytes of 0xff', new Uint8Array(32).fill(0xff), 0x62a8ab43],
  ['32 ascending bytes', Uint8Array.from({ length: 32 }, (_, i) => i), 0x46dd794e],
  ['32 descending bytes', Uint8Array.from({ length: 32 }, (_, i) => 31 - i), 0x113fdb5c],
  ['empty', new Uint8Array(0), 0],
];

describe('crc32c', () => {
  it.each(vectors)('%s', (_name, bytes, expected) => {
    expect(crc32c(bytes)).toBe(expected);
    expect(native.crc32cSoftware(bytes, 0)).toBe(expected);
  });

  it('hardware and table paths agree, and chaining equals one pass', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), (a, b) => {
        const joined = new Uint8Array([...a, ...b]);
        expect(crc32c(joined)).toBe(native.crc32cSoftware(joined, 0));
        expect(crc32c(b, crc32c(a))).toBe(crc32c(joined));
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('the JavaScript path for short inputs agrees with the addon at every length and seed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 0xffffffff }), (bytes, seed) => {
        expect(crc32cJs(bytes, seed)).toBe(native.crc32c(bytes, seed));
        expect(crc32c(bytes, seed)).toBe(native.crc32cSoftware(bytes, seed));
      }),
      { seed: 7, numRuns: 1000 },
    );
  });

  it('checksums a subarray without copying it', () => {
    const buffer = new TextEncoder().encode('xx123456789yy');
    expect(crc32c(buffer.subarray(2, 11))).toBe(0xe3069283);
  });

  it('crc32cRange(bytes, start, end) equals crc32c of that subarray, on both paths', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 0xffffffff }),
        (bytes, a, b, seed) => {
          const start = bytes.length === 0 ? 0 : a % (bytes.length + 1);
          const end = start + (b % (bytes.length - start + 1));
          expect(crc32cRange(bytes, start, end, seed)).toBe(native.crc32cSoftware(bytes.subarray(start, end), seed));
        },
      ),
      { seed: 11, numRuns: 1000 },
    );
    expect(crc32cRange(new TextEncoder().encode('xx123456789yy'), 2, 11)).toBe(0xe3069283);
  });

  it('crc32cRange refuses a range outside the bytes', () => {
    const bytes = new Uint8Array(16);
    expect(() => crc32cRange(bytes, 0, 17)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => crc32cRange(bytes, 17, 17)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => crc32cRange(bytes, 8, 4)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
  });
});
