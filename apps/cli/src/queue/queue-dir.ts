// What the `queue` commands are pointed at: a directory holding an @mapsync/ipc queue,
// that is, a queue.meta file (and q-*.seg segments). Checked before Queue.open sees
// the path, because opening creates a queue wherever it is pointed: only `send`, and
// only in an empty directory, may do that.
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { CliError } from '../errors.js';
import { existingDirectory, existingFile } from '../files.js';

/** The file @mapsync/ipc keeps a queue's format, cursors and wake-up word in. */
const META_FILE = 'queue.meta';

export interface QueueDirectory {
  readonly path: string;
  /** true when the directory is empty and opening it will make a new queue. */
  readonly isNew: boolean;
}

/** An existing queue, or (with `createInEmpty`) an empty directory to make one in. */
export function queueDirectory(dir: string, { createInEmpty = false } = {}): QueueDirectory {
  const path = resolve(dir);
  existingDirectory(path);
  const metaPath = join(path, META_FILE);
  const entries = readdirSync(path);
  if (!entries.includes(META_FILE)) {
    if (createInEmpty && entries.length === 0) return { path, isNew: true };
    const hint = createInEmpty ? '; send makes a new queue only in an empty directory' : '';
    throw new CliError('ENOTQUEUE', `${path} holds no queue (no ${META_FILE})${hint}`);
  }
  // @mapsync/ipc refuses a short meta file too (EFORMAT); this says it in the CLI's
  // words before the queue is opened.
  if (existingFile(metaPath).size === 0) {
    throw new CliError('EFORMAT', `${metaPath} is empty: not a queue's meta file`);
  }
  return { path, isNew: false };
}
