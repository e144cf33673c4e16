// The command line itself: help on every command, one-line usage errors, exit codes.
import { describe, expect, it } from 'vitest';

import { mapsync } from './helpers.js';

const COMMANDS = [
  [],
  ['demo'],
  ['inspect'],
  ['flush'],
  ['bench'],
  ['bench', 'sync'],
  ['wal'],
  ['wal', 'dump'],
  ['wal', 'verify'],
  ['wal', 'recover'],
  ['wal', 'stats'],
  ['queue'],
  ['queue', 'send'],
  ['queue', 'tail'],
  ['queue', 'stats'],
];

describe('--help', () => {
  it.each(COMMANDS.map((path) => [path.join(' ') || '(root)', path]))(
    '%s --help prints usage and exits 0',
    (_, path) => {
      const run = mapsync([...path, '--help']);
      expect(run.stdout).toContain(`Usage: mapsync${path.length > 0 ? ` ${path.join(' ')}` : ''}`);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
    },
  );

  it.each([[['help']], [['help', 'queue']], [['queue', 'help', 'send']]])('mapsync %j prints usage and exits 0', (args) => {
    const run = mapsync(args);
    expect(run.stdout).toContain('Usage: mapsync');
    expect(run.status).toBe(0);
  });

  it('documents the exit codes', () => {
    expect(mapsync(['--help']).stdout).toMatch(
      /Exit codes:\n {2}0 {2}success\n {2}1 {2}error.*\n {2}2 {2}usage.*\n {2}3 {2}damaged write-ahead log .* or queue segment/,
    );
  });
});

describe('usage errors: one line with a code, exit 2', () => {
  it.each([
    [['bogus'], "mapsync: ERR_USAGE: unknown command 'bogus' (see 'mapsync --help')"],
    [
      ['inspect', 'x', '--bad'],
      "mapsync: ERR_USAGE: unknown option '--bad' (see 'mapsync inspect --help')",
    ],
    [
      ['flush'],
      "mapsync: ERR_USAGE: missing required argument 'file' (see 'mapsync flush --help')",
    ],
    [
      ['flush', 'x', '--via', 'sync'],
      "mapsync: ERR_USAGE: option '--via <method>' argument 'sync' is invalid. Allowed choices are msync, fdatasync, fsync. (see 'mapsync flush --help')",
    ],
    [
      ['flush', 'x', '--offset', '-3'],
      "mapsync: ERR_USAGE: option '--offset <bytes>' argument '-3' is invalid. expected a number of bytes (0 or more), got '-3' (see 'mapsync flush --help')",
    ],
    [
      ['bench', 'sync', '--rounds', '0'],
      "mapsync: ERR_USAGE: option '--rounds <n>' argument '0' is invalid. expected a whole number of 1 or more, got '0' (see 'mapsync bench sync --help')",
    ],
    [
      ['wal', 'dump', 'x', '--from', 'one'],
      "mapsync: ERR_USAGE: option '--from <lsn>' argument 'one' is invalid. expected an LSN (1 or more), got 'one' (see 'mapsync wal dump --help')",
    ],
    [
      ['wal', 'stats', 'a', 'b'],
      "mapsync: ERR_USAGE: too many arguments for 'stats'. Expected 1 argument but got 2. (see 'mapsync wal stats --help')",
    ],
  ])('mapsync %j', (args, line) => {
    const run = mapsync(args);
    expect(run.stderr).toBe(`${line}\n`);
    expect(run.stdout).toBe('');
    expect(run.status).toBe(2);
  });

  it.each([[[]], [['wal']], [['bench']], [['queue']]])(
    'a group without its subcommand (%j) shows its help on stderr',
    (args) => {
      const run = mapsync(args);
      expect(run.stderr).toContain('Usage: mapsync');
      expect(run.status).toBe(2);
    },
  );
});

it('--version prints the package version', () => {
  const run = mapsync(['--version']);
  expect(run.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  expect(run.status).toBe(0);
});
