// The layout constructors users write records with: the scalars (u8..u64, i8..i64,
// f32, f64, each multi-byte one with `.le` / `.be`), utf8(n), bytes(n), array(type, n)
// and struct({...}). Every layout is a frozen plain object; offsets are computed here,
// once, when the layout is defined.
import { MapsyncRangeError, MapsyncTypeError, validate } from '@mapsync/native';

import type {
  ArrayLayout,
  BytesLayout,
  Field,
  Fields,
  Layout,
  OrderedScalarLayout,
  ScalarLayout,
  ScalarType,
  StructLayout,
  Utf8Layout,
} from './types.js';

// Layouts made by these constructors; anything else handed to struct() or array() is
// refused, so a typo'd plain object never becomes a field of unknown size.
const defined = new WeakSet<object>();

function register<L extends Layout>(layout: L): L {
  defined.add(Object.freeze(layout));
  return layout;
}

export function isLayout(value: unknown): value is Layout {
  return typeof value === 'object' && value !== null && defined.has(value);
}

function byteScalar<V extends number>(type: ScalarType): ScalarLayout<V> {
  return register({ kind: 'scalar', type, size: 1, littleEndian: true });
}

// Both byte orders of one type point at each other, so `u32.be.le === u32`.
function orderedScalar<V extends number | bigint>(
  type: ScalarType,
  size: number,
): OrderedScalarLayout<V> {
  const little = { kind: 'scalar', type, size, littleEndian: true } as Mutable<
    OrderedScalarLayout<V>
  >;
  const big = { kind: 'scalar', type, size, littleEndian: false } as Mutable<
    OrderedScalarLayout<V>
  >;
  little.le = big.le = little;
  little.be = big.be = big;
  register(big);
  return register(little);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export const u8: ScalarLayout<number> = byteScalar('u8');
export const i8: ScalarLayout<number> = byteScalar('i8');
export const u16: OrderedScalarLayout<number> = orderedScalar('u16', 2);
export const i16: OrderedScalarLayout<number> = orderedScalar('i16', 2);
export const u32: OrderedScalarLayout<number> = orderedScalar('u32', 4);
export const i32: OrderedScalarLayout<number> = orderedScalar('i32', 4);
/** Unsigned 64-bit integer, read and written as a bigint. */
export const u64: OrderedScalarLayout<bigint> = orderedScalar('u64', 8);
/** Signed 64-bit integer, read and written as a bigint. */
export const i64: OrderedScalarLayout<bigint> = orderedScalar('i64', 8);
export const f32: OrderedScalarLayout<number> = orderedScalar('f32', 4);
export const f64: OrderedScalarLayout<number> = orderedScalar('f64', 8);

/**
 * A UTF-8 string stored in exactly `size` bytes, zero padded. Reading stops at the
 * first zero byte. Writing a string longer than `size` bytes is a RangeError
 * (`ERR_STRING_TOO_LONG`), never a silent truncation.
 */
export function utf8(size: number): Utf8Layout {
  return register({
    kind: 'utf8',
    size: validate.checkSize(size, 'utf8 size', Number.MAX_SAFE_INTEGER, 1),
  });
}

/** `size` raw bytes, read as a copy (a Uint8Array) and written from exactly `size` bytes. */
export function bytes(size: number): BytesLayout {
  return register({
    kind: 'bytes',
    size: validate.checkSize(size, 'bytes size', Number.MAX_SAFE_INTEGER, 1),
  });
}

/** `count` elements of `element`, back to back, as one field or one region-wide table. */
export function array<E extends Layout>(element: E, count: number): ArrayLayout<E> {
  checkLayout(element, 'array element');
  const n = validate.checkSize(count, 'array count', Number.MAX_SAFE_INTEGER, 1);
  const size = element.size * n;
  if (!Number.isSafeInteger(size)) {
    throw new MapsyncRangeError(
      'ERR_OUT_OF_RANGE',
      `an array of ${n} × ${element.size} bytes is too large`,
    );
  }
  return register<ArrayLayout<E>>({ kind: 'array', element, count: n, size });
}

/** Names a record view uses for itself; a field cannot take them. */
const RESERVED_FIELD_NAMES: readonly string[] = [
  'seek',
  'toJSON',
  'assign',
  'constructor',
  '__proto__',
];

export interface StructOptions {
  /**
   * Total record size in bytes, when the record carries padding at its end (e.g. 64
   * for a 60-byte C struct stored at a 64-byte stride). Default: the sum of the fields.
   */
  readonly size?: number;
}

/**
 * A record: fields in declaration order, packed (no implicit padding; add a
 * `bytes(n)` field where a C struct would pad). Offsets are fixed here.
 */
export function struct<F extends Fields>(fields: F, options: StructOptions = {}): StructLayout<F> {
  const entries = Object.entries(validate.checkObject(fields, 'fields'));
  if (entries.length === 0) {
    throw new MapsyncTypeError('ERR_INVALID_ARG_VALUE', 'a struct needs at least one field');
  }
  const list: Field[] = [];
  const offsets: Record<string, number> = {};
  let offset = 0;
  for (const [name, layout] of entries) {
    checkFieldName(name);
    checkLayout(layout, `field '${name}'`);
    list.push(Object.freeze({ name, offset, layout }));
    offsets[name] = offset;
    offset += layout.size;
  }
  const packed = offset;
  const size =
    options.size === undefined
      ? packed
      : validate.checkSize(options.size, 'options.size', Number.MAX_SAFE_INTEGER, packed);
  return register({
    kind: 'struct',
    size,
    fields: Object.freeze(list),
    offsets: Object.freeze(offsets),
  } as unknown as StructLayout<F>);
}

function checkLayout(value: unknown, what: string): asserts value is Layout {
  if (!isLayout(value)) {
    throw new MapsyncTypeError(
      'ERR_INVALID_ARG_TYPE',
      `${what} must be a layout (u8..f64, utf8(n), bytes(n), array(), struct()), received ${typeof value}`,
    );
  }
}

function checkFieldName(name: string): void {
  if (RESERVED_FIELD_NAMES.includes(name)) {
    throw new MapsyncTypeError(
      'ERR_INVALID_ARG_VALUE',
      `'${name}' is reserved by record views; rename the field`,
    );
  }
  // Integer-like keys come first in any JS object whatever order they were written
  // in, so the declared order (and with it every offset) would not be the one seen.
  if (/^(?:0|[1-9]\d*)$/.test(name)) {
    throw new MapsyncTypeError(
      'ERR_INVALID_ARG_VALUE',
      `field name '${name}' looks like an array index, which JavaScript reorders; use a name`,
    );
  }
}
