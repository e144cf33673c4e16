// What the `wal` commands are pointed at: a directory holding a write-ahead log, that
// is, wal-<16 hex digits>.log segment files (and, for a page store, data.db). Checked
// before @mapsync/wal sees the path, which would create a missing directory.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { DATA_FILE } from '@mapsync/wal';

import { CliError } from '../errors.js';
import { existingDirectory } from '../files.js';

const SEGMENT_NAME = /^wal-[0-9a-f]{16}\.log$/;

export interface LogDirectory {
  readonly path: string;
  /** Segment files, in log order, with their sizes on disk. */
  readonly segments: readonly { readonly name: string; readonly bytes: number }[];
  /** The page store's data file next to the log, when there is one. */
  readonly dataFile: { readonly name: string; readonly bytes: number } | null;
}

export function logDirectory(dir: string): LogDirectory {
  const path = resolve(dir);
  existingDirectory(path);
  const names = readdirSync(path)
    .filter((name) => SEGMENT_NAME.test(name))
    .sort();
  if (names.length === 0) {
    throw new CliError('ENOTWAL', `${path} holds no write-ahead log (no wal-*.log segment file)`);
  }
  const dataPath = join(path, DATA_FILE);
  return {
    path,
    segments: names.map((name) => ({ name, bytes: statSync(join(path, name)).size })),
    dataFile: existsSync(dataPath) ? { name: DATA_FILE, bytes: statSync(dataPath).size } : null,
  };
}
