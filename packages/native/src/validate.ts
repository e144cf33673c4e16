// Argument checks shared by every package. The native layer trusts its inputs, so
// everything that reaches it passes through here first.
import { MapsyncRangeError, MapsyncTypeError } from './errors.js';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `string '${value.length > 32 ? value.slice(0, 32) + '…' : value}'`;
  return typeof value;
}

/** An integer from `min` (default 0) to `max` (default 2^53 - 1, where JS numbers stop being exact). */
export function checkSize(
  value: unknown,
  name: string,
  max = Number.MAX_SAFE_INTEGER,
  min = 0,
): number {
  if (typeof value !== 'number') {
    throw new MapsyncTypeError(
      'ERR_INVALID_ARG_TYPE',
      `${name} must be a number, received ${describe(value)}`,
    );
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new MapsyncRangeError(
      'ERR_OUT_OF_RANGE',
      `${name} must be an integer from ${min} to ${max}, received ${describe(value)}`,
    );
  }
  return value;
}

/** A whole multiple of `alignment` (a power of two). */
export function checkAligned(value: number, alignment: number, name: string): number {
  if (value % alignment !== 0) {
    throw new MapsyncRangeError(
      'ERR_UNALIGNED',
      `${name} must be a multiple of ${alignment}, received ${value}`,
    );
  }
  return value;
}

/** `offset + length` must stay within `limit`. */
export function checkRange(offset: number, length: number, limit: number, what: string): void {
  if (offset > limit || length > limit - offset) {
    throw new MapsyncRangeError(
      'ERR_OUT_OF_RANGE',
      `range [${offset}, ${offset + length}) is outside ${what} of ${limit} bytes`,
    );
  }
}

export function checkFd(value: unknown, name = 'fd'): number {
  return checkSize(value, name, 0x7fffffff);
}

export function checkBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') {
    throw new MapsyncTypeError(
      'ERR_INVALID_ARG_TYPE',
      `${name} must be a boolean, received ${describe(value)}`,
    );
  }
  return value;
}

export function checkOneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  name: string,
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new MapsyncTypeError(
      'ERR_INVALID_ARG_VALUE',
      `${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, received ${describe(value)}`,
    );
  }
  return value as T;
}

export function checkObject(value: unknown, name: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MapsyncTypeError(
      'ERR_INVALID_ARG_TYPE',
      `${name} must be an object, received ${describe(value)}`,
    );
  }
  return value as Record<string, unknown>;
}

export function checkBytes(value: unknown, name: string): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new MapsyncTypeError(
      'ERR_INVALID_ARG_TYPE',
      `${name} must be a Uint8Array (or Buffer), received ${describe(value)}`,
    );
  }
  return value;
}

export function checkPath(value: unknown, name = 'path'): string {
  if (typeof value !== 'string' || value === '') {
    throw new MapsyncTypeError(
      'ERR_INVALID_ARG_TYPE',
      `${name} must be a non-empty string, received ${describe(value)}`,
    );
  }
  return value;
}
