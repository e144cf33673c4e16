// @mapsync/region: a mapped file as typed, durable memory. Open a region, read and
// write it through layouts or bytes, flush what you touched, resize it, close it.
// See README.md for the guide's scenarios in this API and the Linux meaning of each call.
export { openRegion, openRegionSync } from './open.js';
export { createFileOnce } from './create-file.js';
export type { CreateFileOptions } from './create-file.js';
export type { OpenOptions, ReadonlyOpenOptions, WritableOpenOptions } from './open.js';
export type {
  ArrayOptions,
  CloseOptions,
  DestructiveAdvice,
  FlushOptions,
  ReadonlyBytes,
  ReadonlyRegion,
  RegionMode,
  Residency,
  PrefaultOptions,
  ResizeOptions,
  SafeAdvice,
  WritableRegion,
} from './region.js';
export type { RangeOptions } from './ranges.js';
export type { FlushReport, FlushStrategy } from './flush.js';
export type { Storage } from './storage.js';
export * from './layout/index.js';
export { MapsyncError, MapsyncRangeError, MapsyncTypeError, pageSize } from '@mapsync/native';
export type { ByteRange } from '@mapsync/native';
