// Making a new file appear whole or not at all, even when several processes create it
// at once: it is written under a unique temporary name (preallocated, its first bytes
// set, synced), then linked to its real name — link(2) fails if the name exists, and
// then the other creator's file stands — and the directory is synced.
import { closeSync, linkSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

import { fallocateSync, fsyncDirectorySync, fsyncSync, validate } from '@mapsync/native';

export interface CreateFileOptions {
  /** Bytes to preallocate (fallocate): writes into them never meet a full disk. */
  readonly size: number;
  /** The file's first bytes (a header, say). */
  readonly initial?: Uint8Array;
  /** Permissions before the umask. Default 0o600. */
  readonly fileMode?: number;
}

let counter = 0;

/**
 * Creates `path` durably (content, then name). Returns true if this call created it,
 * false if it already existed (it is left untouched). A failure leaves nothing behind.
 */
export function createFileOnce(path: string, options: CreateFileOptions): boolean {
  validate.checkPath(path, 'path');
  const opts = validate.checkObject(options, 'options');
  const size = validate.checkSize(opts.size, 'options.size', Number.MAX_SAFE_INTEGER, 1);
  const initial = opts.initial === undefined ? new Uint8Array(0) : validate.checkBytes(opts.initial, 'options.initial');
  const fileMode = validate.checkSize(opts.fileMode ?? 0o600, 'options.fileMode', 0o7777);
  const dir = dirname(path);
  const temporary = join(dir, `.${basename(path)}.${process.pid}.${++counter}.tmp`);
  // O_CREAT|O_EXCL: never write through a file or link someone planted at this name.
  const fd = openSync(temporary, 'wx+', fileMode);
  try {
    fallocateSync(fd, 0, size);
    writeSync(fd, initial, 0, initial.length, 0);
    fsyncSync(fd);
    linkSync(temporary, path);
  } catch (error) {
    if ((error as { code?: string }).code === 'EEXIST') return false;
    throw error;
  } finally {
    closeSync(fd);
    unlinkSync(temporary);
  }
  fsyncDirectorySync(dir);
  return true;
}
