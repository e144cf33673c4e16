// The layout vocabulary: what a layout is (its size, its kind, the JavaScript value it
// holds) and the types of the live views that read and write one in place. Types
// only; the runtime pieces live beside this file.

/** Phantom key carrying a layout's value type; it never exists at run time. */
declare const valueType: unique symbol;

export type ScalarType =
  'u8' | 'u16' | 'u32' | 'u64' | 'i8' | 'i16' | 'i32' | 'i64' | 'f32' | 'f64';

/** What every layout has: a fixed size in bytes, and (at the type level) its value. */
export interface LayoutOf<V> {
  readonly size: number;
  readonly [valueType]?: V;
}

/** A number (u8..u32, i8..i32, f32, f64) or a bigint (u64, i64) at a fixed byte order. */
export interface ScalarLayout<V extends number | bigint = number | bigint> extends LayoutOf<V> {
  readonly kind: 'scalar';
  readonly type: ScalarType;
  readonly littleEndian: boolean;
}

/** A scalar wider than a byte: `.le` and `.be` pick the byte order (little by default). */
export interface OrderedScalarLayout<V extends number | bigint> extends ScalarLayout<V> {
  readonly le: OrderedScalarLayout<V>;
  readonly be: OrderedScalarLayout<V>;
}

/** A UTF-8 string in a fixed number of bytes, zero padded. */
export interface Utf8Layout extends LayoutOf<string> {
  readonly kind: 'utf8';
}

/** Raw bytes of a fixed length. */
export interface BytesLayout extends LayoutOf<Uint8Array> {
  readonly kind: 'bytes';
}

/** `count` elements of one layout, back to back. */
export interface ArrayLayout<E extends Layout = Layout> extends LayoutOf<Value<E>[]> {
  readonly kind: 'array';
  readonly element: E;
  readonly count: number;
}

/** Named fields at offsets computed once, in declaration order, packed (no padding). */
export interface StructLayout<F extends Fields = Fields> extends LayoutOf<StructValue<F>> {
  readonly kind: 'struct';
  readonly fields: readonly Field[];
  /** Byte offset of each field from the start of the record. */
  readonly offsets: { readonly [K in keyof F]: number };
}

export type Layout = ScalarLayout | Utf8Layout | BytesLayout | ArrayLayout | StructLayout;

export type Fields = Readonly<Record<string, Layout>>;

export interface Field {
  readonly name: string;
  readonly offset: number;
  readonly layout: Layout;
}

/** The value a layout reads as: `Value<typeof Record>` is `{ id: number; message: string }`. */
export type Value<L> = L extends LayoutOf<infer V> ? V : never;

export type StructValue<F extends Fields> = { -readonly [K in keyof F]: Value<F[K]> };

/** What a write accepts: the value type, with arrays and records readonly-friendly. */
export type Input<L> =
  L extends StructLayout<infer F>
    ? { readonly [K in keyof F]: Input<F[K]> }
    : L extends ArrayLayout<infer E>
      ? readonly Input<E>[]
      : Value<L>;

/** Records and arrays are read through views; everything else as a value. */
type Composite = StructLayout | ArrayLayout;
type LeafKeys<F extends Fields> = { [K in keyof F]: F[K] extends Composite ? never : K }[keyof F];
type CompositeKeys<F extends Fields> = Exclude<keyof F, LeafKeys<F>>;

/** What reading a field through a writable view gives. */
export type FieldView<L> =
  L extends StructLayout<infer F>
    ? RecordView<F>
    : L extends ArrayLayout<infer E>
      ? ArrayView<E>
      : Value<L>;

/** What reading a field through a read-only view gives. */
export type ReadonlyFieldView<L> =
  L extends StructLayout<infer F>
    ? ReadonlyRecordView<F>
    : L extends ArrayLayout<infer E>
      ? ReadonlyArrayView<E>
      : Value<L>;

interface ReadonlyRecordMethods<F extends Fields> {
  /** A plain-object copy of the record (also what JSON.stringify and console show). */
  toJSON(): StructValue<F>;
}

interface RecordMethods<F extends Fields> extends ReadonlyRecordMethods<F> {
  /** Writes the given fields; pages touched are marked dirty. */
  assign(value: Partial<Input<StructLayout<F>>>): void;
}

/**
 * A record read in place: each field is a getter over the mapped bytes. Nested records
 * and arrays are views too (the same object on every read, no allocation).
 */
export type ReadonlyRecordView<F extends Fields> = {
  readonly [K in keyof F]: ReadonlyFieldView<F[K]>;
} & ReadonlyRecordMethods<F>;

/**
 * A record read and written in place; assigning a field marks its pages dirty. Built
 * on the read-only view (so it can be passed wherever one is expected), with the leaf
 * fields made writable and nested records and arrays writable views.
 */
export type RecordView<F extends Fields> = {
  -readonly [K in LeafKeys<F>]: Value<F[K]>;
} & {
  readonly [K in CompositeKeys<F>]: FieldView<F[K]>;
} & RecordMethods<F> &
  ReadonlyRecordView<F>;

/**
 * One view object moved along an array with `seek(index)`: a hot loop over records
 * allocates nothing. Reading through it after a seek sees the new record.
 */
export type ReadonlyRecordCursor<F extends Fields> = ReadonlyRecordView<F> & {
  seek(index: number): ReadonlyRecordCursor<F>;
};

export type RecordCursor<F extends Fields> = RecordView<F> & {
  seek(index: number): RecordCursor<F>;
};

interface ReadonlyArrayMethods<E extends Layout> extends Iterable<Value<E>> {
  readonly length: number;
  /** Element `index` as a value (a copy for records and arrays). */
  get(index: number): Value<E>;
  toArray(): Value<E>[];
  toJSON(): Value<E>[];
}

interface ArrayMethods<E extends Layout> extends ReadonlyArrayMethods<E> {
  /** Writes element `index`; its pages are marked dirty. */
  set(index: number, value: Input<E>): void;
}

/** Live views of records or nested arrays, for elements that are composites. */
type ReadonlyCompositeAccess<E extends Layout> =
  E extends StructLayout<infer F>
    ? { at(index: number): ReadonlyRecordView<F>; cursor(): ReadonlyRecordCursor<F> }
    : E extends ArrayLayout<infer N>
      ? { at(index: number): ReadonlyArrayView<N> }
      : unknown;

type CompositeAccess<E extends Layout> =
  E extends StructLayout<infer F>
    ? { at(index: number): RecordView<F>; cursor(): RecordCursor<F> }
    : E extends ArrayLayout<infer N>
      ? { at(index: number): ArrayView<N> }
      : unknown;

export type ReadonlyArrayView<E extends Layout> = ReadonlyArrayMethods<E> &
  ReadonlyCompositeAccess<E>;
// The writable members come first: for a method in both halves (`at`), TypeScript
// resolves a call with the first signature, which must be the writable one.
export type ArrayView<E extends Layout> = ArrayMethods<E> &
  CompositeAccess<E> &
  ReadonlyArrayView<E>;
