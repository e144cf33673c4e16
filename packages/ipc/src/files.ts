// Creating a queue file so that no process ever sees it half made, even when several
// create it at once: it is written under a unique temporary name, synced, then linked
// to its real name (link fails if another process got there first, and then theirs
// is used), and the directory is synced.
import { closeSync, linkSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import { fallocateSync, fsyncDirectorySync, fsyncSync } from '@mapsync/native';

let counter = 0;

/** Returns true if this call created `name`, false if it already existed. */
export function createOnce(dir: string, name: string, size: number, initial: Uint8Array, fileMode: number): boolean {
  const temporary = join(dir, `.${name}.${process.pid}.${++counter}.tmp`);
  const fd = openSync(temporary, 'wx+', fileMode);
  try {
    fallocateSync(fd, 0, size);
    writeSync(fd, initial, 0, initial.length, 0);
    fsyncSync(fd);
  } catch (error) {
    unlinkSync(temporary);
    throw error;
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, join(dir, name));
    fsyncDirectorySync(dir);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temporary);
  }
}
