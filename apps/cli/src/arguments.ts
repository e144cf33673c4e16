// Value parsers for options: commander calls them and turns their
// InvalidArgumentError into a usage error (exit 2) naming the option.
import { InvalidArgumentError } from '@commander-js/extra-typings';

/** A whole number of at least `min`, written in decimal. */
function wholeNumber(text: string, min: number, what: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidArgumentError(`expected ${what}, got '${text}'`);
  }
  return value;
}

export const byteCount = (text: string): number =>
  wholeNumber(text, 0, 'a number of bytes (0 or more)');
export const positiveByteCount = (text: string): number =>
  wholeNumber(text, 1, 'a number of bytes (1 or more)');
export const positiveCount = (text: string): number =>
  wholeNumber(text, 1, 'a whole number of 1 or more');
export const lsnArgument = (text: string): number => wholeNumber(text, 1, 'an LSN (1 or more)');

/** Where a new tailer starts: 'beginning', 'end', or a queue position. */
export function tailStart(text: string): 'beginning' | 'end' | number {
  if (text === 'beginning' || text === 'end') return text;
  return wholeNumber(text, 0, "'beginning', 'end' or a queue position (0 or more)");
}
