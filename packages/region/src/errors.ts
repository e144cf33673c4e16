// The region's own failure codes, on top of @mapsync/native's error classes:
// ECLOSED (used after close), ESTALE (a view from before a resize) and the ones a
// caller can act on when a range does not fit one window or a file is unusable.
import { MapsyncError, MapsyncRangeError } from '@mapsync/native';

export function closedError(path: string): MapsyncError {
  return new MapsyncError('ECLOSED', `the region '${path}' was closed; open it again to use it`, {
    path,
  });
}

export function staleError(path: string, viewGeneration: number): MapsyncError {
  return new MapsyncError(
    'ESTALE',
    `this view belongs to generation ${viewGeneration} of the region '${path}', which was resized since; ` +
      'take a new view from the region',
    { path },
  );
}

export function crossesWindowError(
  offset: number,
  length: number,
  windowSize: number,
): MapsyncRangeError {
  return new MapsyncRangeError(
    'ERR_CROSSES_WINDOW',
    `[${offset}, ${offset + length}) crosses a ${windowSize}-byte window boundary; a region larger than ` +
      'one ArrayBuffer is reached through windows: split the range (read() and write() do it for you)',
  );
}

/**
 * A failed Node fs call (open, fstat, ftruncate...) as a MapsyncError, so every
 * system call failure a region reports has the same shape. Anything else passes.
 */
export function fileError(error: unknown, path: string): unknown {
  if (error instanceof MapsyncError || !(error instanceof Error)) return error;
  const { code, errno, syscall } = error as Partial<Record<'code' | 'errno' | 'syscall', unknown>>;
  if (typeof code !== 'string' || typeof errno !== 'number' || typeof syscall !== 'string')
    return error;
  return new MapsyncError(code, error.message, {
    path,
    cause: error,
    errno: Math.abs(errno),
    syscall,
  });
}
