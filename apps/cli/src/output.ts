// How results are shown: JSON for scripts (--json, on stdout, nothing else), or
// aligned text for people, colored only on a terminal (picocolors honours NO_COLOR
// and FORCE_COLOR).
import Table from 'cli-table3';
import pc from 'picocolors';

export { pc as colors };

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Writes `text`; resolves true once the system has it, false if stdout failed (its reader went away). */
export function writeOut(text: string): Promise<boolean> {
  return new Promise((resolve) => {
    process.stdout.write(text, (error) => {
      resolve(error === undefined || error === null);
    });
  });
}

/** Rows of `label  value`, aligned, without borders. */
export function printFields(rows: readonly (readonly [string, string])[]): void {
  const table = new Table({
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '',
    },
    style: { 'padding-left': 0, 'padding-right': 2, head: [], border: [] },
  });
  table.push(...rows.map(([label, value]) => [pc.bold(label), value]));
  // The table pads its last column too: no trailing blanks in the output.
  printLine(
    table
      .toString()
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n'),
  );
}

/** A bordered table with a header row. */
export function printTable(head: readonly string[], rows: readonly (readonly string[])[]): void {
  const table = new Table({
    head: head.map((h) => pc.bold(h)),
    // No rule between body rows: a compact table.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: { head: [], border: [] },
  });
  table.push(...rows.map((row) => [...row]));
  printLine(table.toString());
}

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1048576 → "1 MiB", 5000 → "4.9 KiB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || Number.isInteger(value) ? 0 : 1;
  return `${value.toFixed(digits)} ${UNITS[unit] ?? ''}`;
}

/** Milliseconds, in µs below one. */
export function formatDuration(ms: number): string {
  return ms < 1 ? `${Math.round(ms * 1000)} µs` : `${ms.toFixed(2)} ms`;
}

export function formatRange({ offset, length }: { offset: number; length: number }): string {
  return `bytes ${offset}..${offset + length}`;
}
