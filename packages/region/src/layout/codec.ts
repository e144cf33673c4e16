// Reading and writing whole values of any layout at a DataView offset: the path for
// snapshots (toJSON, region.get/set, assign), array elements that are records, and
// string and byte fields. Field-by-field hot access goes through compiled views
// instead (views.ts). Every write validates before it touches mapped bytes, so a
// refused value never leaves a half-written record behind.
import { MapsyncRangeError, MapsyncTypeError } from '@mapsync/native';

import {
  readExpression,
  rejectsExpression,
  scalarValueError,
  writeStatement,
} from './scalar-code.js';
import type {
  ArrayLayout,
  BytesLayout,
  Layout,
  ScalarLayout,
  StructLayout,
  Utf8Layout,
} from './types.js';

export interface Codec {
  read(dv: DataView, at: number): unknown;
  /** Writes `value` at `at`, or throws before writing anything when it does not fit. */
  write(dv: DataView, at: number, value: unknown, path: string): void;
}

const staged = new WeakMap<Layout, Codec>();
const direct = new WeakMap<Layout, Codec>();

function cached(cache: WeakMap<Layout, Codec>, layout: Layout, make: () => Codec): Codec {
  let codec = cache.get(layout);
  if (codec === undefined) {
    codec = make();
    cache.set(layout, codec);
  }
  return codec;
}

/** The codec for writing into mapped bytes: all or nothing. */
export function codecOf(layout: Layout): Codec {
  if (layout.kind !== 'array' && layout.kind !== 'struct') return directCodecOf(layout);
  return cached(staged, layout, () => stagedCodec(layout, directCodecOf(layout)));
}

// Writes straight through, field after field: used inside a scratch copy, or for
// leaves, which validate before writing anyway.
function directCodecOf(layout: Layout): Codec {
  return cached(direct, layout, () => {
    switch (layout.kind) {
      case 'scalar':
        return scalarCodec(layout);
      case 'utf8':
        return utf8Codec(layout);
      case 'bytes':
        return bytesCodec(layout);
      case 'array':
        return arrayCodec(layout);
      case 'struct':
        return structCodec(layout);
    }
  });
}

function scalarCodec(layout: ScalarLayout): Codec {
  // Generated so each scalar type gets its own monomorphic DataView call (see views.ts).
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- only fixed method names from scalar-code.ts
  const make = new Function(
    'rejected',
    `return {
      read(dv, at) { return ${readExpression(layout, 'dv', 'at')}; },
      write(dv, at, v, path) {
        if (${rejectsExpression(layout)}) throw rejected(path, v);
        ${writeStatement(layout, 'dv', 'at')}
      },
    };`,
  ) as (rejected: (path: string, value: unknown) => Error) => Codec;
  return make((path, value) => scalarValueError(layout, path, value));
}

function window(dv: DataView, at: number, size: number): Uint8Array {
  return new Uint8Array(dv.buffer, dv.byteOffset + at, size);
}

// Not fatal: bytes another process wrote may be invalid UTF-8 and still deserve a read.
const decoder = new TextDecoder();
const encoder = new TextEncoder();
// With the `u` flag a well-formed surrogate pair is one code point, so only lone
// surrogates match; TextEncoder would silently turn those into U+FFFD.
const loneSurrogate = /\p{Surrogate}/u;

function utf8Codec(layout: Utf8Layout): Codec {
  const { size } = layout;
  return {
    read(dv, at) {
      const field = window(dv, at, size);
      const end = field.indexOf(0);
      return decoder.decode(end === -1 ? field : field.subarray(0, end));
    },
    write(dv, at, value, path) {
      if (typeof value !== 'string') {
        throw new MapsyncTypeError(
          'ERR_INVALID_ARG_TYPE',
          `${path} is a utf8(${size}) string, received ${typeof value}`,
        );
      }
      if (value.includes('\0')) {
        throw new MapsyncTypeError(
          'ERR_INVALID_ARG_VALUE',
          `${path} cannot hold U+0000: the field is zero padded, so reading would stop there`,
        );
      }
      if (loneSurrogate.test(value)) {
        throw new MapsyncTypeError(
          'ERR_INVALID_ARG_VALUE',
          `${path} received a string with a lone surrogate, which has no UTF-8 encoding`,
        );
      }
      const needed = Buffer.byteLength(value, 'utf8');
      if (needed > size) {
        throw new MapsyncRangeError(
          'ERR_STRING_TOO_LONG',
          `${path} holds at most ${size} bytes of UTF-8; the string needs ${needed}`,
        );
      }
      const field = window(dv, at, size);
      encoder.encodeInto(value, field);
      field.fill(0, needed);
    },
  };
}

function bytesCodec(layout: BytesLayout): Codec {
  const { size } = layout;
  return {
    read(dv, at) {
      return window(dv, at, size).slice();
    },
    write(dv, at, value, path) {
      if (!(value instanceof Uint8Array)) {
        throw new MapsyncTypeError(
          'ERR_INVALID_ARG_TYPE',
          `${path} is bytes(${size}) and takes a Uint8Array`,
        );
      }
      if (value.length !== size) {
        throw new MapsyncRangeError(
          'ERR_INVALID_LENGTH',
          `${path} is bytes(${size}) and takes exactly ${size} bytes, received ${value.length}`,
        );
      }
      window(dv, at, size).set(value);
    },
  };
}

function arrayCodec(layout: ArrayLayout): Codec {
  const { count } = layout;
  const element = directCodecOf(layout.element);
  const stride = layout.element.size;
  return {
    read(dv, at) {
      const values = new Array<unknown>(count);
      for (let i = 0; i < count; i++) values[i] = element.read(dv, at + i * stride);
      return values;
    },
    write(dv, at, value, path) {
      if (!isArrayLike(value)) {
        throw new MapsyncTypeError(
          'ERR_INVALID_ARG_TYPE',
          `${path} is an array of ${count} and takes an array`,
        );
      }
      if (value.length !== count) {
        throw new MapsyncRangeError(
          'ERR_INVALID_LENGTH',
          `${path} is an array of ${count} and takes exactly ${count} elements, received ${value.length}`,
        );
      }
      for (let i = 0; i < count; i++) element.write(dv, at + i * stride, value[i], `${path}[${i}]`);
    },
  };
}

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || ArrayBuffer.isView(value);
}

function structCodec(layout: StructLayout): Codec {
  const fields = layout.fields.map((field) => ({ ...field, codec: directCodecOf(field.layout) }));
  return {
    read(dv, at) {
      const record: Record<string, unknown> = {};
      for (const field of fields) record[field.name] = field.codec.read(dv, at + field.offset);
      return record;
    },
    write(dv, at, value, path) {
      const record = checkRecord(value, layout, path);
      for (const field of fields) {
        if (!(field.name in record)) {
          throw new MapsyncTypeError('ERR_MISSING_FIELD', `${path} needs field '${field.name}'`);
        }
        field.codec.write(dv, at + field.offset, record[field.name], `${path}.${field.name}`);
      }
    },
  };
}

/** A plain object whose every key is a field of `layout` (a typo is an error, not a no-op). */
export function checkRecord(
  value: unknown,
  layout: StructLayout,
  path: string,
): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MapsyncTypeError('ERR_INVALID_ARG_TYPE', `${path} is a record and takes an object`);
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!Object.hasOwn(layout.offsets, key)) {
      throw new MapsyncTypeError('ERR_UNKNOWN_FIELD', `${path} has no field '${key}'`);
    }
  }
  return record;
}

// Records and arrays are encoded into a scratch copy first and copied in whole, so a
// refused element halfway through leaves the mapped bytes as they were.
function stagedCodec(layout: Layout, direct: Codec): Codec {
  return {
    read: (dv, at) => direct.read(dv, at),
    write(dv, at, value, path) {
      const scratch = new Uint8Array(layout.size);
      direct.write(new DataView(scratch.buffer), 0, value, path);
      window(dv, at, layout.size).set(scratch);
    },
  };
}

/**
 * Writes some fields of a record at `at`: the record's current bytes are copied to a
 * scratch buffer, the given fields encoded there, and the result copied back.
 */
export function assignFields(
  layout: StructLayout,
  dv: DataView,
  at: number,
  value: unknown,
  path: string,
): void {
  const record = checkRecord(value, layout, path);
  const target = window(dv, at, layout.size);
  const scratch = target.slice();
  const scratchView = new DataView(scratch.buffer);
  for (const field of layout.fields) {
    if (field.name in record) {
      directCodecOf(field.layout).write(
        scratchView,
        field.offset,
        record[field.name],
        `${path}.${field.name}`,
      );
    }
  }
  target.set(scratch);
}
