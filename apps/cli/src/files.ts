// What a command is pointed at must exist and be the right kind of thing; say so in
// one line, with a code, before any library is asked to open it (opening a log
// directory that does not exist would create it).
import { statSync, type Stats } from 'node:fs';

import { CliError } from './errors.js';

function statOrNull(path: string): Stats | undefined {
  return statSync(path, { throwIfNoEntry: false });
}

export function existingFile(path: string): Stats {
  const stats = statOrNull(path);
  if (stats === undefined) throw new CliError('ENOENT', `no such file: ${path}`);
  if (stats.isDirectory()) throw new CliError('EISDIR', `${path} is a directory, not a file`);
  if (!stats.isFile()) throw new CliError('ERR_NOT_REGULAR_FILE', `${path} is not a regular file`);
  return stats;
}

export function existingDirectory(path: string): Stats {
  const stats = statOrNull(path);
  if (stats === undefined) throw new CliError('ENOENT', `no such directory: ${path}`);
  if (!stats.isDirectory()) throw new CliError('ENOTDIR', `${path} is not a directory`);
  return stats;
}
