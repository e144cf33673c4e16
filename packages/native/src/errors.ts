// The error types every mapsync package raises. System call failures become a
// MapsyncError whose `code` is the errno name ('EIO', 'ENOMEM'...), so a program can
// switch on it; bad arguments are TypeError/RangeError with a Node-style `code`,
// thrown before any system call.
import { getSystemErrorName } from 'node:util';

/** A byte range inside a mapping or file that an error applies to. */
export interface ByteRange {
  readonly offset: number;
  readonly length: number;
}

export interface MapsyncErrorDetails {
  readonly errno?: number;
  readonly syscall?: string;
  readonly path?: string;
  readonly range?: ByteRange;
  readonly cause?: unknown;
}

/**
 * A failed system call or a library-level failure (`ECLOSED`, `ETRUNCATED`...).
 * `code` is stable and meant for `switch`; `message` is for people.
 */
export class MapsyncError extends Error {
  override readonly name = 'MapsyncError';
  readonly code: string;
  /** Positive errno of the failed system call, when there was one. */
  readonly errno: number | undefined;
  readonly syscall: string | undefined;
  readonly path: string | undefined;
  readonly range: ByteRange | undefined;

  constructor(code: string, message: string, details: MapsyncErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.errno = details.errno;
    this.syscall = details.syscall;
    this.path = details.path;
    this.range = details.range;
  }
}

function errnoName(errno: number): string {
  try {
    return getSystemErrorName(-errno);
  } catch {
    return `ERRNO_${errno}`;
  }
}

const explanations: Record<string, string> = {
  EINVAL: 'invalid argument',
  ENOMEM: 'out of memory, or the range is not (fully) mapped',
  EBADF: 'bad file descriptor',
  EACCES: 'permission denied by the file mode or the way the file was opened',
  EIO: 'I/O error while writing back; the data may not be on disk',
  ENOSPC: 'no space left on the device',
  EBUSY: 'busy',
  EAGAIN: 'resource temporarily unavailable',
  EPERM: 'operation not permitted',
  ENODEV: 'the file system does not support memory mapping',
  EOPNOTSUPP: 'not supported by this file system',
  EFBIG: 'file too large',
  ENOSYS: 'not implemented by this kernel',
};

/** Builds the error for a negative status returned by the native layer. */
export function errnoError(
  status: number,
  syscall: string,
  details: Omit<MapsyncErrorDetails, 'errno' | 'syscall'> = {},
): MapsyncError {
  const errno = -status;
  const code = errnoName(errno);
  const where = [
    details.path === undefined ? '' : ` '${details.path}'`,
    details.range === undefined
      ? ''
      : ` [offset ${details.range.offset}, length ${details.range.length}]`,
  ].join('');
  const why = explanations[code] ?? 'system call failed';
  return new MapsyncError(code, `${code}: ${why}, ${syscall}${where}`, {
    ...details,
    errno,
    syscall,
  });
}

/** A TypeError with a Node-style code. */
export class MapsyncTypeError extends TypeError {
  override readonly name = 'TypeError';
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** A RangeError with a Node-style code. */
export class MapsyncRangeError extends RangeError {
  override readonly name = 'RangeError';
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}
