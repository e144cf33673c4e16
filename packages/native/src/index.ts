// @mapsync/native: thin, safe bindings to mmap, msync, fsync, fdatasync, fallocate,
// fadvise, flock, madvise, mincore, mlock, mremap, futex, FIFO doorbells and CRC32C. See README.md for the Linux
// semantics of each call.
import { native } from './native.js';
import { loadBinding } from './loader.js';

export { MS, ADVICE, FADVISE, FALLOCATE, FLOCK, pageSize } from './constants.js';
export type { Advice, AdviceInfo, FallocateMode, FileAdvice, FileLockMode } from './constants.js';
export { map, Mapping, MAX_BUFFER_LENGTH, LARGE_MAPPING_WINDOW } from './mapping.js';
export type {
  Access,
  FutexWaitOptions,
  FutexWaitResult,
  MadviseOptions,
  MapOptions,
  PrefaultOptions,
  PwriteOptions,
  RemapOptions,
} from './mapping.js';
export {
  fadviseSync,
  fdatasync,
  fdatasyncSync,
  fallocate,
  fallocateSync,
  fsync,
  fsyncDirectory,
  fsyncDirectorySync,
  fsyncSync,
  tryLockFileSync,
} from './files.js';
export type { FallocateOptions } from './files.js';
export { Doorbell } from './doorbell.js';
export type { DoorbellOptions, DoorbellWaitOptions, DoorbellWaitResult } from './doorbell.js';
export { crc32c, crc32cHardware, crc32cRange } from './crc32c.js';
export { MapsyncError, MapsyncRangeError, MapsyncTypeError, errnoError } from './errors.js';
export type { ByteRange, MapsyncErrorDetails } from './errors.js';
export * as validate from './validate.js';
export { candidatePaths } from './loader.js';
export type { LoadAttempt } from './loader.js';

/** Where the compiled addon was loaded from, and the system constants it was built with. */
export function nativeInfo(): { path: string; source: string; constants: Readonly<Record<string, number>> } {
  const { from } = loadBinding();
  return { path: from.path, source: from.source, constants: native.constants };
}
