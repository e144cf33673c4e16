// Layouts: offsets computed once; every field type in both byte orders round-trips
// through record views, array views and region.get/set (property-based), and lands in
// the file exactly where and how a hand-written DataView would put it; values that do
// not fit are refused with a code and never half-written.
import { join } from 'node:path';

import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  array,
  bytes,
  f32,
  f64,
  i16,
  i32,
  i64,
  i8,
  openRegionSync,
  struct,
  u16,
  u32,
  u64,
  u8,
  utf8,
  type ScalarLayout,
  type WritableRegion,
} from '../src/index.js';
import { scratchDir, withCode } from './helpers.js';

const dir = scratchDir();
let region: WritableRegion;
beforeAll(() => {
  region = openRegionSync(join(dir, 'layouts.dat'), { mode: 'rw', create: true, size: 1 << 16 });
  return () => {
    region.close();
  };
});

interface ScalarCase {
  readonly layout: ScalarLayout;
  readonly values: fc.Arbitrary<number | bigint>;
  /** What a hand-written DataView call would store. */
  readonly reference: (dv: DataView, value: number | bigint, littleEndian: boolean) => void;
  /** Values the type must refuse. */
  readonly refused: readonly unknown[];
}

const int = (min: number, max: number) => fc.integer({ min, max });
const scalarCases: readonly ScalarCase[] = [
  {
    layout: u8,
    values: int(0, 255),
    reference: (dv, v) => dv.setUint8(0, Number(v)),
    refused: [-1, 256, 1.5, NaN, '1', 1n],
  },
  {
    layout: i8,
    values: int(-128, 127),
    reference: (dv, v) => dv.setInt8(0, Number(v)),
    refused: [-129, 128, 0.5],
  },
  ...[u16, u16.be].map((layout) => ({
    layout,
    values: int(0, 0xffff),
    reference: (dv: DataView, v: number | bigint, le: boolean) => dv.setUint16(0, Number(v), le),
    refused: [-1, 0x10000, 2.5],
  })),
  ...[i16, i16.be].map((layout) => ({
    layout,
    values: int(-0x8000, 0x7fff),
    reference: (dv: DataView, v: number | bigint, le: boolean) => dv.setInt16(0, Number(v), le),
    refused: [-0x8001, 0x8000],
  })),
  ...[u32, u32.be].map((layout) => ({
    layout,
    values: fc.nat({ max: 0xffffffff }),
    reference: (dv: DataView, v: number | bigint, le: boolean) => dv.setUint32(0, Number(v), le),
    refused: [-1, 2 ** 32, 0.1, Infinity],
  })),
  ...[i32, i32.be].map((layout) => ({
    layout,
    values: int(-(2 ** 31), 2 ** 31 - 1),
    reference: (dv: DataView, v: number | bigint, le: boolean) => dv.setInt32(0, Number(v), le),
    refused: [-(2 ** 31) - 1, 2 ** 31],
  })),
  ...[u64, u64.be].map((layout) => ({
    layout,
    values: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    reference: (dv: DataView, v: number | bigint, le: boolean) => dv.setBigUint64(0, BigInt(v), le),
    refused: [-1n, 2n ** 64n, 1],
  })),
  ...[i64, i64.be].map((layout) => ({
    layout,
    values: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    reference: (dv: DataView, v: number | bigint, le: boolean) => dv.setBigInt64(0, BigInt(v), le),
    refused: [-(2n ** 63n) - 1n, 2n ** 63n, 0],
  })),
  ...[f32, f32.be].map((layout) => ({
    layout,
    values: fc.float(),
    reference: (dv: DataView, v: number | bigint, le: boolean) => dv.setFloat32(0, Number(v), le),
    refused: ['1', 1n],
  })),
  ...[f64, f64.be].map((layout) => ({
    layout,
    values: fc.double(),
    reference: (dv: DataView, v: number | bigint, le: boolean) => dv.setFloat64(0, Number(v), le),
    refused: [null, undefined],
  })),
];

const name = (c: ScalarCase) =>
  `${c.layout.type}${c.layout.size > 1 ? (c.layout.littleEndian ? '.le' : '.be') : ''}`;

function referenceBytes(c: ScalarCase, value: number | bigint): Uint8Array {
  const expected = new Uint8Array(c.layout.size);
  c.reference(new DataView(expected.buffer), value, c.layout.littleEndian);
  return expected;
}

describe.each(scalarCases.map((c) => [name(c), c] as const))('%s', (_name, c) => {
  const Holder = struct({ pad: u8, value: c.layout });

  it('round-trips through a record field, at the bytes DataView would write', () => {
    const view = region.view(Holder, 100);
    fc.assert(
      fc.property(c.values, (value) => {
        view.value = value;
        expect(view.value).toStrictEqual(value);
        expect(region.read(101, c.layout.size)).toEqual(referenceBytes(c, value));
      }),
    );
  });

  it('round-trips through an array view and through region.get/set', () => {
    const values = region.array(c.layout, { offset: 200, count: 8 });
    fc.assert(
      fc.property(fc.nat({ max: 7 }), c.values, (index, value) => {
        values.set(index, value);
        expect(values.get(index)).toStrictEqual(value);
        region.set(c.layout, 300, value);
        expect(region.get(c.layout, 300)).toStrictEqual(value);
        expect(region.read(200 + index * c.layout.size, c.layout.size)).toEqual(
          referenceBytes(c, value),
        );
      }),
    );
  });

  it('refuses values that do not fit, with a code, and leaves the field as it was', () => {
    const view = region.view(Holder, 400);
    const before = region.read(401, c.layout.size);
    for (const value of c.refused) {
      expect(() => {
        view.value = value as never;
      }).toThrow(withCode(/^ERR_(OUT_OF_RANGE|INVALID_ARG_TYPE)$/));
      expect(() => {
        region.set(c.layout, 401, value as never);
      }).toThrow(withCode(/^ERR_/));
    }
    expect(region.read(401, c.layout.size)).toEqual(before);
  });
});

describe('utf8(n)', () => {
  const Text = struct({ text: utf8(24) });
  const fitting = fc
    .string({ unit: 'binary', maxLength: 24 })
    .filter((s) => !s.includes('\0') && Buffer.byteLength(s) <= 24);

  it('round-trips any string that fits, zero padded', () => {
    const view = region.view(Text, 1000);
    fc.assert(
      fc.property(fitting, (text) => {
        view.text = text;
        expect(view.text).toBe(text);
        const stored = region.read(1000, 24);
        const length = Buffer.byteLength(text);
        expect(Buffer.from(stored.subarray(0, length)).toString()).toBe(text);
        expect(stored.subarray(length).every((b) => b === 0)).toBe(true);
      }),
    );
  });

  it('a string exactly n bytes long fills the field and still reads back', () => {
    region.set(utf8(4), 1100, 'añb');
    expect(region.read(1100, 4)).toEqual(new Uint8Array([0x61, 0xc3, 0xb1, 0x62]));
    expect(region.get(utf8(4), 1100)).toBe('añb');
  });

  it('too long is a RangeError with a code, never a silent truncation; the field is untouched', () => {
    const view = region.view(Text, 1200);
    view.text = 'kept';
    let caught: unknown;
    try {
      view.text = 'x'.repeat(25);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RangeError);
    expect(caught).toMatchObject({ code: 'ERR_STRING_TOO_LONG' });
    // Multi-byte: 12 characters, 36 bytes.
    expect(() => (view.text = '€'.repeat(12))).toThrow(withCode('ERR_STRING_TOO_LONG'));
    expect(view.text).toBe('kept');
  });

  it('refuses U+0000 and lone surrogates, which would not read back', () => {
    const view = region.view(Text, 1300);
    for (const text of ['a\0b', 'a\uD800b', '\uDFFF']) {
      expect(() => (view.text = text)).toThrow(withCode('ERR_INVALID_ARG_VALUE'));
    }
    view.text = '😀';
    expect(view.text).toBe('😀');
  });
});

describe('bytes(n)', () => {
  it('round-trips exactly n bytes, read as a copy', () => {
    const Blob = struct({ tag: u8, raw: bytes(16) });
    const view = region.view(Blob, 2000);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (raw) => {
        view.raw = raw;
        const read = view.raw;
        expect(read).toEqual(raw);
        read[0] = (read[0] ?? 0) ^ 0xff;
        expect(view.raw).toEqual(raw);
      }),
    );
    expect(() => (view.raw = new Uint8Array(15))).toThrow(withCode('ERR_INVALID_LENGTH'));
  });
});

describe('struct', () => {
  const Everything = struct({
    a: u8,
    b: i16.be,
    c: u32,
    d: i64,
    e: f32.be,
    f: f64,
    g: utf8(10),
    h: bytes(3),
    i: array(u16.be, 3),
    j: struct({ x: i32, y: u64.be }),
    k: array(struct({ p: u8, q: i8 }), 2),
  });

  it('packs fields in declaration order and computes the offsets once', () => {
    expect(Everything.offsets).toEqual({
      a: 0,
      b: 1,
      c: 3,
      d: 7,
      e: 15,
      f: 19,
      g: 27,
      h: 37,
      i: 40,
      j: 46,
      k: 58,
    });
    expect(Everything.size).toBe(62);
    expect(struct({ id: u32, message: utf8(56) }).size).toBe(60);
    expect(struct({ id: u32, message: utf8(56) }, { size: 64 }).size).toBe(64);
  });

  const everything = fc.record({
    a: int(0, 255),
    b: int(-0x8000, 0x7fff),
    c: fc.nat({ max: 0xffffffff }),
    d: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    e: fc.float({ noNaN: true }),
    f: fc.double({ noNaN: true }),
    g: fc
      .string({ unit: 'binary-ascii', maxLength: 10 })
      .filter((s) => !s.includes('\0') && Buffer.byteLength(s) <= 10),
    h: fc.uint8Array({ minLength: 3, maxLength: 3 }),
    i: fc.array(int(0, 0xffff), { minLength: 3, maxLength: 3 }),
    j: fc.record({
      x: int(-(2 ** 31), 2 ** 31 - 1),
      y: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    }),
    k: fc.array(fc.record({ p: int(0, 255), q: int(-128, 127) }), { minLength: 2, maxLength: 2 }),
  });

  it('round-trips whole records (set/get, assign/toJSON) and field by field', () => {
    const view = region.view(Everything, 3000);
    const cursor = region.array(Everything, { offset: 3100, count: 4 }).cursor();
    fc.assert(
      fc.property(everything, fc.nat({ max: 3 }), (value, index) => {
        region.set(Everything, 3000, value);
        expect(region.get(Everything, 3000)).toEqual(value);
        view.assign(value);
        expect(view.toJSON()).toEqual(value);

        const record = cursor.seek(index);
        record.a = value.a;
        record.g = value.g;
        record.j.y = value.j.y;
        record.i.set(2, value.i[2] ?? 0);
        record.k.at(1).q = value.k[1]?.q ?? 0;
        expect(record.a).toBe(value.a);
        expect(record.g).toBe(value.g);
        expect(record.j.y).toBe(value.j.y);
        expect(record.i.get(2)).toBe(value.i[2]);
        expect(record.k.get(1).q).toBe(value.k[1]?.q);
      }),
    );
  });

  it('a refused field anywhere in a record write leaves every byte as it was', () => {
    const Pair = struct({ first: u32, second: u8 });
    region.set(Pair, 5000, { first: 1, second: 2 });
    const before = region.read(5000, Pair.size);
    expect(() => {
      region.set(Pair, 5000, { first: 99, second: 256 });
    }).toThrow(withCode('ERR_OUT_OF_RANGE'));
    expect(() => {
      region.view(Pair, 5000).assign({ first: 99, second: -1 });
    }).toThrow(withCode('ERR_OUT_OF_RANGE'));
    expect(region.read(5000, Pair.size)).toEqual(before);
    expect(() => {
      region.set(Pair, 5000, { first: 1 } as never);
    }).toThrow(withCode('ERR_MISSING_FIELD'));
    expect(() => {
      region.set(Pair, 5000, { first: 1, second: 2, third: 3 } as never);
    }).toThrow(withCode('ERR_UNKNOWN_FIELD'));
    expect(() => {
      region.set(array(u8, 3), 5000, [1, 2]);
    }).toThrow(withCode('ERR_INVALID_LENGTH'));
  });

  it('is checked when defined', () => {
    expect(() => struct({})).toThrow(withCode('ERR_INVALID_ARG_VALUE'));
    expect(() => struct({ seek: u8 } as never)).toThrow(withCode('ERR_INVALID_ARG_VALUE'));
    expect(() => struct({ 0: u8 })).toThrow(withCode('ERR_INVALID_ARG_VALUE'));
    expect(() => struct({ a: { kind: 'scalar', size: 4 } } as never)).toThrow(
      withCode('ERR_INVALID_ARG_TYPE'),
    );
    expect(() => struct({ a: u32 }, { size: 3 })).toThrow(withCode('ERR_OUT_OF_RANGE'));
    expect(() => utf8(0)).toThrow(withCode('ERR_OUT_OF_RANGE'));
    expect(() => array(u8, 1.5)).toThrow(withCode('ERR_OUT_OF_RANGE'));
  });

  it('byte orders point at each other and default to little endian', () => {
    expect(u32.littleEndian).toBe(true);
    expect(u32.be.littleEndian).toBe(false);
    expect(u32.be.le).toBe(u32);
    expect(u32.le).toBe(u32);
    expect(Object.isFrozen(u32.be)).toBe(true);
  });
});

describe('views', () => {
  const Item = struct({ id: u32, pos: struct({ x: f64, y: f64 }), tags: array(u8, 4) });

  it('a cursor moves over records without allocating: seek returns itself, nested views are reused', () => {
    const items = region.array(Item, { offset: 6000, count: 10 });
    const cursor = items.cursor();
    const pos = cursor.pos;
    const tags = cursor.tags;
    for (let i = 0; i < 10; i++) {
      expect(cursor.seek(i)).toBe(cursor);
      cursor.id = i;
      cursor.pos.x = i / 2;
      cursor.tags.set(3, i);
      expect(cursor.pos).toBe(pos);
      expect(cursor.tags).toBe(tags);
    }
    // A nested view held across a seek follows its record.
    cursor.seek(7);
    expect(pos.x).toBe(3.5);
    expect(tags.get(3)).toBe(7);
    expect(items.get(4)).toStrictEqual({ id: 4, pos: { x: 2, y: 0 }, tags: [0, 0, 0, 4] });
    expect(items.at(9).id).toBe(9);
    expect([...items].map((item) => item.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(items.toJSON()).toHaveLength(10);
  });

  it('indexes are checked: out of range, negative, fractional, not a number', () => {
    const items = region.array(Item, { offset: 6000, count: 10 });
    const cursor = items.cursor();
    for (const index of [10, -1, 1.5, NaN]) {
      expect(() => cursor.seek(index)).toThrow(withCode('ERR_OUT_OF_RANGE'));
      expect(() => items.get(index)).toThrow(withCode('ERR_OUT_OF_RANGE'));
    }
    expect(() => items.get('1' as never)).toThrow(withCode('ERR_INVALID_ARG_TYPE'));
  });

  it('an array must fit the region; the default count is as many as fit', () => {
    expect(region.array(u32, { offset: (1 << 16) - 10 }).length).toBe(2);
    expect(() => region.array(u32, { offset: (1 << 16) - 4, count: 2 })).toThrow(
      withCode('ERR_OUT_OF_RANGE'),
    );
    expect(() => region.view(Item, (1 << 16) - 4)).toThrow(withCode('ERR_OUT_OF_RANGE'));
  });

  it('views print as their values', async () => {
    const { inspect } = await import('node:util');
    const view = region.view(struct({ id: u32 }), 7000);
    view.id = 42;
    expect(inspect(view)).toBe('{ id: 42 }');
  });
});
