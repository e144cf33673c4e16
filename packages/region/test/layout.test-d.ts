// Type tests for layouts: values and views have the types a layout declares, and a
// wrong field type, a write to a read-only view, or a misspelt field does not compile.
import { describe, expectTypeOf, it } from 'vitest';

import {
  array,
  bytes,
  f32,
  f64,
  i64,
  struct,
  u16,
  u32,
  u64,
  u8,
  utf8,
  type ArrayView,
  type Input,
  type ReadonlyRecordView,
  type ReadonlyRegion,
  type RecordView,
  type Value,
  type WritableRegion,
} from '../src/index.js';

const Record = struct({ id: u32, message: utf8(56) });
const Everything = struct({
  small: u8,
  wide: u16.be,
  big: u64,
  signed: i64.be,
  ratio: f32,
  precise: f64,
  raw: bytes(4),
  list: array(u32, 3),
  inner: struct({ x: f64, y: f64 }),
  rows: array(Record, 2),
});

declare const writable: WritableRegion;
declare const readonly: ReadonlyRegion;

describe('values', () => {
  it('a struct reads as a plain object of its fields', () => {
    expectTypeOf<Value<typeof Record>>().toEqualTypeOf<{ id: number; message: string }>();
    expectTypeOf(writable.get(Everything)).toEqualTypeOf<{
      small: number;
      wide: number;
      big: bigint;
      signed: bigint;
      ratio: number;
      precise: number;
      raw: Uint8Array;
      list: number[];
      inner: { x: number; y: number };
      rows: { id: number; message: string }[];
    }>();
    expectTypeOf(writable.get(u64, 0)).toEqualTypeOf<bigint>();
    expectTypeOf(writable.get(array(utf8(4), 2), 0)).toEqualTypeOf<string[]>();
  });

  it('set() takes the value type, readonly arrays included, and nothing else', () => {
    writable.set(Record, 0, { id: 1, message: 'hi' });
    writable.set(array(u8, 2), 0, [1, 2] as const);
    writable.set(u64, 0, 1n);
    // @ts-expect-error u64 is a bigint
    writable.set(u64, 0, 1);
    // @ts-expect-error id is a number
    writable.set(Record, 0, { id: '1', message: 'hi' });
    // @ts-expect-error message is missing
    writable.set(Record, 0, { id: 1 });
    expectTypeOf<Input<typeof Record>>().toEqualTypeOf<{
      readonly id: number;
      readonly message: string;
    }>();
  });
});

describe('record views', () => {
  it('fields have their value types and can be assigned', () => {
    const view = writable.view(Everything);
    expectTypeOf(view.small).toEqualTypeOf<number>();
    expectTypeOf(view.big).toEqualTypeOf<bigint>();
    expectTypeOf(view.raw).toEqualTypeOf<Uint8Array>();
    view.small = 1;
    view.big = 2n;
    view.raw = new Uint8Array(4);
    view.inner.x = 1.5;
    view.list.set(0, 1);
    view.rows.at(1).message = 'second';
    view.assign({ small: 2 });
  });

  it('a wrong field type does not compile', () => {
    const view = writable.view(Everything);
    // @ts-expect-error a u8 field takes a number
    view.small = '1';
    // @ts-expect-error a u64 field takes a bigint
    view.big = 1;
    // @ts-expect-error an i64 field reads as a bigint, not a number
    const signed: number = view.signed;
    // @ts-expect-error a bytes field takes a Uint8Array
    view.raw = [1, 2, 3, 4];
    // @ts-expect-error a nested struct is a view, not assignable
    view.inner = { x: 1, y: 2 };
    // @ts-expect-error an array field is a view, not assignable
    view.list = [1, 2, 3];
    // @ts-expect-error a misspelt field does not exist
    view.missing = 1;
    // @ts-expect-error assign() checks field types too
    view.assign({ small: 'x' });
    // @ts-expect-error array elements have the element type
    view.list.set(0, 1n);
    expectTypeOf(signed).toEqualTypeOf<number>();
  });

  it('a read-only region gives read-only views, all the way down', () => {
    const view = readonly.view(Record);
    expectTypeOf(view.id).toEqualTypeOf<number>();
    // @ts-expect-error fields of a read-only view cannot be assigned
    view.id = 1;
    const nested = readonly.view(Everything);
    // @ts-expect-error nested records of a read-only view are read-only too
    nested.inner.x = 1;
    // @ts-expect-error records in arrays of a read-only view are read-only too
    nested.rows.at(0).id = 3;
    expectTypeOf(nested.list).not.toHaveProperty('set');
    expectTypeOf(nested).not.toHaveProperty('assign');
  });

  it('a writable view can be used where a read-only one is expected', () => {
    expectTypeOf<RecordView<{ id: typeof u32 }>>().toExtend<
      ReadonlyRecordView<{ id: typeof u32 }>
    >();
  });
});

describe('array views', () => {
  it('elements have the element type; records get at() and cursor(), numbers do not', () => {
    const numbers = writable.array(u32);
    expectTypeOf(numbers.get(0)).toEqualTypeOf<number>();
    expectTypeOf(numbers).toEqualTypeOf<ArrayView<typeof u32>>();
    expectTypeOf(numbers).not.toHaveProperty('cursor');
    expectTypeOf(numbers).not.toHaveProperty('at');
    const records = writable.array(Record, { count: 10 });
    const cursor = records.cursor();
    expectTypeOf(cursor.seek(3).id).toEqualTypeOf<number>();
    cursor.seek(3).message = 'hi';
    expectTypeOf(records.get(0)).toEqualTypeOf<{ id: number; message: string }>();
    for (const record of records)
      expectTypeOf(record).toEqualTypeOf<{ id: number; message: string }>();
    const grid = writable.array(array(f32, 4));
    expectTypeOf(grid.at(0).get(1)).toEqualTypeOf<number>();
    // @ts-expect-error a cursor over a read-only region is read-only
    readonly.array(Record).cursor().seek(0).id = 1;
  });
});

describe('layouts', () => {
  it('only layouts are fields', () => {
    // @ts-expect-error a plain object is not a layout
    struct({ id: { size: 4 } });
    expectTypeOf(u8).not.toHaveProperty('be');
    expectTypeOf(u32.be.le).toEqualTypeOf(u32);
  });
});
