// How each scalar type is read, written and checked, as the JavaScript source the
// view compiler pastes into generated accessors, plus the error a rejected value gets.
// A value that does not fit its type is refused rather than wrapped by DataView.
import { MapsyncRangeError, MapsyncTypeError } from '@mapsync/native';

import type { ScalarLayout, ScalarType } from './types.js';

interface ScalarCode {
  /** DataView method suffix: get<method> / set<method>. */
  readonly method: string;
  /** An expression true when `v` must be refused. */
  readonly rejects: string;
  readonly range: string;
}

// The integer checks are bitwise round trips (one instruction each once optimised);
// the typeof guard comes first because bitwise operators throw on a bigint.
function notNumberOr(rejects: string): string {
  return `typeof v !== 'number' || ${rejects}`;
}

const code: Readonly<Record<ScalarType, ScalarCode>> = {
  u8: {
    method: 'Uint8',
    rejects: notNumberOr('(v & 0xff) !== v'),
    range: 'an integer from 0 to 255',
  },
  i8: {
    method: 'Int8',
    rejects: notNumberOr('((v << 24) >> 24) !== v'),
    range: 'an integer from -128 to 127',
  },
  u16: {
    method: 'Uint16',
    rejects: notNumberOr('(v & 0xffff) !== v'),
    range: 'an integer from 0 to 65535',
  },
  i16: {
    method: 'Int16',
    rejects: notNumberOr('((v << 16) >> 16) !== v'),
    range: 'an integer from -32768 to 32767',
  },
  u32: {
    method: 'Uint32',
    rejects: notNumberOr('(v >>> 0) !== v'),
    range: 'an integer from 0 to 4294967295',
  },
  i32: {
    method: 'Int32',
    rejects: notNumberOr('(v | 0) !== v'),
    range: 'an integer from -2147483648 to 2147483647',
  },
  u64: {
    method: 'BigUint64',
    rejects: "typeof v !== 'bigint' || BigInt.asUintN(64, v) !== v",
    range: 'a bigint from 0n to 2n ** 64n - 1n',
  },
  i64: {
    method: 'BigInt64',
    rejects: "typeof v !== 'bigint' || BigInt.asIntN(64, v) !== v",
    range: 'a bigint from -(2n ** 63n) to 2n ** 63n - 1n',
  },
  f32: { method: 'Float32', rejects: "typeof v !== 'number'", range: 'a number' },
  f64: { method: 'Float64', rejects: "typeof v !== 'number'", range: 'a number' },
};

/** `dv.get...(at[, littleEndian])` for the scalar, with `at` an expression. */
export function readExpression(layout: ScalarLayout, dv: string, at: string): string {
  return `${dv}.get${code[layout.type].method}(${at}${endianArgument(layout)})`;
}

/** `dv.set...(at, v[, littleEndian])` for the scalar. */
export function writeStatement(layout: ScalarLayout, dv: string, at: string): string {
  return `${dv}.set${code[layout.type].method}(${at}, v${endianArgument(layout)});`;
}

export function rejectsExpression(layout: ScalarLayout): string {
  return code[layout.type].rejects;
}

function endianArgument(layout: ScalarLayout): string {
  return layout.size === 1 ? '' : `, ${String(layout.littleEndian)}`;
}

/** The error for a value `v` the scalar refused; `path` names the field for people. */
export function scalarValueError(layout: ScalarLayout, path: string, value: unknown): Error {
  const wanted = code[layout.type].range;
  const big = layout.type === 'u64' || layout.type === 'i64';
  if (typeof value !== (big ? 'bigint' : 'number')) {
    return new MapsyncTypeError(
      'ERR_INVALID_ARG_TYPE',
      `${path} is a ${layout.type} and must be ${wanted}, received ${describe(value)}`,
    );
  }
  return new MapsyncRangeError(
    'ERR_OUT_OF_RANGE',
    `${path} is a ${layout.type} and must be ${wanted}, received ${describe(value)}`,
  );
}

function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string')
    return `string '${value.length > 32 ? value.slice(0, 32) + '…' : value}'`;
  return value === null ? 'null' : typeof value;
}
