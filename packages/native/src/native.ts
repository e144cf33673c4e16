// The loaded addon and the small helpers every wrapper uses to turn its status codes
// into errors.
import type { NativeBinding } from './binding.js';
import { errnoError, type MapsyncErrorDetails } from './errors.js';
import { loadBinding } from './loader.js';

export const native: NativeBinding = loadBinding().binding;

/**
 * Status of a call the addon refused because the mapping's SIGBUS guard absorbed a
 * fault (kStatusFaulted in mapping.h): below -4095, so never a -errno.
 */
export const STATUS_FAULTED = -4097;

/** Throws the MapsyncError for a negative status; returns non-negative ones. */
export function check(
  status: number,
  syscall: string,
  details?: Omit<MapsyncErrorDetails, 'errno' | 'syscall'>,
): number {
  if (status < 0) throw errnoError(status, syscall, details);
  return status;
}

/** The system constants the addon was compiled against (MS_SYNC, MADV_*...). */
export function constant(name: string): number {
  const value = native.constants[name];
  if (value === undefined) throw new Error(`@mapsync/native: constant ${name} is not available`);
  return value;
}
