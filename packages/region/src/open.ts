// Opening a region: every option is checked before the file system is touched; the
// file is opened, or created 0600 unless told otherwise; bytes the region adds to the
// file are preallocated (fallocate), so a write into a mapped page never meets a full
// disk as SIGBUS; a file this call created is made durable with its directory entry
// (fsync of the file, then of the directory); then [0, size) is mapped.
import {
  constants,
  fstat,
  fstatSync,
  open,
  openSync,
  closeSync,
  unlinkSync,
  type Stats,
} from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';

import {
  MapsyncRangeError,
  MapsyncTypeError,
  fallocate,
  fallocateSync,
  fsync,
  fsyncDirectory,
  fsyncDirectorySync,
  fsyncSync,
  map,
  validate,
} from '@mapsync/native';

import { fileError } from './errors.js';
import { ReadonlyMappedRegion } from './readonly-region.js';
import type { ReadonlyRegion, RegionMode, WritableRegion } from './region.js';
import { systemCalls, type FlushSyscalls } from './syscalls.js';
import { WritableMappedRegion } from './writable-region.js';

interface CommonOpenOptions {
  /**
   * Bytes to map, from offset 0; may exceed 4 GiB. Default: the file's size. A
   * writable region grows a smaller file to this size, preallocated; a larger file is
   * mapped in part and left as it is.
   */
  readonly size?: number;
  /** MAP_POPULATE: read every page in at open instead of on first touch. Default false. */
  readonly populate?: boolean;
}

export interface ReadonlyOpenOptions extends CommonOpenOptions {
  /** Default `'r'`. */
  readonly mode?: 'r';
  readonly create?: never;
  readonly fileMode?: never;
}

export interface WritableOpenOptions extends CommonOpenOptions {
  readonly mode: 'rw';
  /** Create the file when it does not exist (then `size` is required). Default false. */
  readonly create?: boolean;
  /** Permissions of a created file, before the umask. Default 0o600. */
  readonly fileMode?: number;
}

export type OpenOptions = ReadonlyOpenOptions | WritableOpenOptions;

interface OpenPlan {
  readonly path: string;
  readonly mode: RegionMode;
  readonly size: number | undefined;
  readonly create: boolean;
  readonly fileMode: number;
  readonly populate: boolean;
}

const knownOptions = ['mode', 'size', 'create', 'fileMode', 'populate'];

function checkOptions(path: unknown, options: unknown): OpenPlan {
  const file = validate.checkPath(path);
  const opts = validate.checkObject(options, 'options');
  for (const key of Object.keys(opts)) {
    if (!knownOptions.includes(key)) {
      throw new MapsyncTypeError(
        'ERR_INVALID_ARG_VALUE',
        `unknown option '${key}' (known: ${knownOptions.join(', ')})`,
      );
    }
  }
  const mode = validate.checkOneOf<RegionMode>(opts.mode ?? 'r', ['r', 'rw'], 'options.mode');
  const size =
    opts.size === undefined
      ? undefined
      : validate.checkSize(opts.size, 'options.size', Number.MAX_SAFE_INTEGER, 1);
  const create = validate.checkBoolean(opts.create ?? false, 'options.create');
  const populate = validate.checkBoolean(opts.populate ?? false, 'options.populate');
  if (create && mode !== 'rw') {
    throw new MapsyncTypeError('ERR_INVALID_ARG_VALUE', "options.create needs mode: 'rw'");
  }
  if (create && size === undefined) {
    throw new MapsyncTypeError(
      'ERR_MISSING_OPTION',
      'options.create needs options.size: how large to make the file',
    );
  }
  if (opts.fileMode !== undefined && !create) {
    throw new MapsyncTypeError(
      'ERR_INVALID_ARG_VALUE',
      'options.fileMode applies only with create: true',
    );
  }
  const fileMode =
    opts.fileMode === undefined
      ? 0o600
      : validate.checkSize(opts.fileMode, 'options.fileMode', 0o7777);
  return { path: file, mode, size, create, fileMode, populate };
}

/** The size to map and how many bytes the file must grow by first. */
function sizing(plan: OpenPlan, stats: Stats): { size: number; grow: number } {
  if (!stats.isFile()) {
    throw new MapsyncTypeError('ERR_NOT_REGULAR_FILE', `'${plan.path}' is not a regular file`);
  }
  const fileSize = stats.size;
  if (plan.size === undefined) {
    if (fileSize === 0) {
      throw new MapsyncRangeError(
        'ERR_EMPTY_FILE',
        `'${plan.path}' is empty: pass options.size (and mode 'rw') to grow it`,
      );
    }
    return { size: fileSize, grow: 0 };
  }
  if (plan.size <= fileSize) return { size: plan.size, grow: 0 };
  if (plan.mode === 'r') {
    throw new MapsyncRangeError(
      'ERR_FILE_TOO_SMALL',
      `'${plan.path}' has ${fileSize} bytes, fewer than options.size (${plan.size}); a read-only region cannot grow it`,
    );
  }
  return { size: plan.size, grow: plan.size - fileSize };
}

const { O_RDONLY, O_RDWR, O_CREAT, O_EXCL } = constants;

function errorCode(error: unknown): unknown {
  return error instanceof Error && 'code' in error ? error.code : undefined;
}

function openFileSync(plan: OpenPlan): { fd: number; created: boolean } {
  if (plan.mode === 'r') return { fd: openSync(plan.path, O_RDONLY), created: false };
  try {
    return { fd: openSync(plan.path, O_RDWR), created: false };
  } catch (error) {
    if (!plan.create || errorCode(error) !== 'ENOENT') throw error;
  }
  try {
    return { fd: openSync(plan.path, O_RDWR | O_CREAT | O_EXCL, plan.fileMode), created: true };
  } catch (error) {
    // Another process created it between our two opens: use theirs.
    if (errorCode(error) !== 'EEXIST') throw error;
    return { fd: openSync(plan.path, O_RDWR), created: false };
  }
}

const openAsync = promisify(open);
const fstatAsync = promisify(fstat);

async function openFile(plan: OpenPlan): Promise<{ fd: number; created: boolean }> {
  if (plan.mode === 'r') return { fd: await openAsync(plan.path, O_RDONLY), created: false };
  try {
    return { fd: await openAsync(plan.path, O_RDWR), created: false };
  } catch (error) {
    if (!plan.create || errorCode(error) !== 'ENOENT') throw error;
  }
  try {
    return {
      fd: await openAsync(plan.path, O_RDWR | O_CREAT | O_EXCL, plan.fileMode),
      created: true,
    };
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
    return { fd: await openAsync(plan.path, O_RDWR), created: false };
  }
}

function mapRegion(
  plan: OpenPlan,
  fd: number,
  size: number,
  syscalls: FlushSyscalls,
): ReadonlyMappedRegion {
  const access = plan.mode === 'rw' ? 'readwrite' : 'read';
  const mapping = map(fd, { length: size, access, populate: plan.populate });
  const parts = { path: plan.path, fd, mapping, size, syscalls };
  return plan.mode === 'rw' ? new WritableMappedRegion(parts) : new ReadonlyMappedRegion(parts);
}

/** Undoes a failed open: the fd is closed and a file this call created is removed. */
function abandon(plan: OpenPlan, fd: number, created: boolean): void {
  closeSync(fd);
  if (created) unlinkSync(plan.path);
}

/** openRegionSync with the flush system calls given: the seam tests inject failures through. */
export function openRegionSyncWith(
  path: string,
  options: OpenOptions | undefined,
  syscalls: FlushSyscalls,
): ReadonlyRegion {
  const plan = checkOptions(path, options);
  let file: { fd: number; created: boolean };
  try {
    file = openFileSync(plan);
  } catch (error) {
    throw fileError(error, plan.path);
  }
  try {
    const { size, grow } = sizing(plan, fstatSync(file.fd));
    if (grow > 0) fallocateSync(file.fd, size - grow, grow);
    if (file.created) {
      fsyncSync(file.fd);
      fsyncDirectorySync(dirname(plan.path));
    }
    return mapRegion(plan, file.fd, size, syscalls);
  } catch (error) {
    abandon(plan, file.fd, file.created);
    throw fileError(error, plan.path);
  }
}

/** openRegion with the flush system calls given: the seam tests inject failures through. */
export async function openRegionWith(
  path: string,
  options: OpenOptions | undefined,
  syscalls: FlushSyscalls,
): Promise<ReadonlyRegion> {
  const plan = checkOptions(path, options);
  let file: { fd: number; created: boolean };
  try {
    file = await openFile(plan);
  } catch (error) {
    throw fileError(error, plan.path);
  }
  try {
    const { size, grow } = sizing(plan, await fstatAsync(file.fd));
    if (grow > 0) await fallocate(file.fd, size - grow, grow);
    if (file.created) {
      await fsync(file.fd);
      await fsyncDirectory(dirname(plan.path));
    }
    return mapRegion(plan, file.fd, size, syscalls);
  } catch (error) {
    abandon(plan, file.fd, file.created);
    throw fileError(error, plan.path);
  }
}

/**
 * Maps the file at `path`. `{ mode: 'rw' }` gives a WritableRegion; otherwise the
 * region is read-only and has no method that writes or flushes.
 */
export function openRegion(path: string, options: WritableOpenOptions): Promise<WritableRegion>;
export function openRegion(path: string, options?: ReadonlyOpenOptions): Promise<ReadonlyRegion>;
export function openRegion(
  path: string,
  options?: OpenOptions,
): Promise<ReadonlyRegion | WritableRegion>;
export function openRegion(
  path: string,
  options?: OpenOptions,
): Promise<ReadonlyRegion | WritableRegion> {
  return openRegionWith(path, options, systemCalls);
}

/** The same, on the calling thread. */
export function openRegionSync(path: string, options: WritableOpenOptions): WritableRegion;
export function openRegionSync(path: string, options?: ReadonlyOpenOptions): ReadonlyRegion;
export function openRegionSync(
  path: string,
  options?: OpenOptions,
): ReadonlyRegion | WritableRegion;
export function openRegionSync(
  path: string,
  options?: OpenOptions,
): ReadonlyRegion | WritableRegion {
  return openRegionSyncWith(path, options, systemCalls);
}
