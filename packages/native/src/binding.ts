// The shape of the compiled addon. Private to this package: every call goes through
// the validated wrappers, and each returns 0 / a count, or a negative errno.

/** Opaque token for one mmap() call; only the addon can read it. */
export interface NativeHandle {
  readonly __mapsyncMapping: unique symbol;
}

export type Status = number;

export interface NativeBinding {
  readonly pageSize: number;
  readonly constants: Readonly<Record<string, number>>;
  readonly crc32cHardware: boolean;

  map(fd: number, length: number, offset: number, prot: number, flags: number): NativeHandle | Status;
  /** An external ArrayBuffer over [offset, offset + length) of the mapping. */
  window(handle: NativeHandle, offset: number, length: number): ArrayBuffer | Status;
  /** Detaches every window, then unmaps (deferred while async calls hold the address). */
  unmap(handle: NativeHandle, windows: ArrayBuffer[]): Status;
  /** Detaches every window, then mremap()s; the handle then refers to the new range. */
  remap(handle: NativeHandle, windows: ArrayBuffer[], length: number, mayMove: boolean): Status;

  msyncSync(handle: NativeHandle, offset: number, length: number, flags: number): Status;
  msync(handle: NativeHandle, offset: number, length: number, flags: number): Promise<Status>;
  /** pwrite of the mapping's [offset, offset + length) into fd at position, then fdatasync if datasync. */
  pwriteSync(handle: NativeHandle, offset: number, length: number, fd: number, position: number, datasync: boolean): Status;
  pwrite(handle: NativeHandle, offset: number, length: number, fd: number, position: number, datasync: boolean): Promise<Status>;
  fsyncSync(fd: number): Status;
  fsync(fd: number): Promise<Status>;
  fdatasyncSync(fd: number): Status;
  fdatasync(fd: number): Promise<Status>;
  fallocateSync(fd: number, mode: number, offset: number, length: number): Status;
  fallocate(fd: number, mode: number, offset: number, length: number): Promise<Status>;
  fadviseSync(fd: number, offset: number, length: number, advice: number): Status;
  flockSync(fd: number, operation: number): Status;

  /** Whether the SIGBUS guard absorbed a fault in this mapping (its file was truncated). */
  faulted(handle: NativeHandle): boolean;
  madvise(handle: NativeHandle, offset: number, length: number, advice: number): Status;
  madviseAsync(handle: NativeHandle, offset: number, length: number, advice: number): Promise<Status>;
  mincore(handle: NativeHandle, offset: number, length: number, out: Uint8Array): Status;
  mlock(handle: NativeHandle, offset: number, length: number): Status;
  munlock(handle: NativeHandle, offset: number, length: number): Status;

  futexWaitSync(handle: NativeHandle, offset: number, expected: number, timeoutMs: number): Status;
  futexWait(handle: NativeHandle, offset: number, expected: number, timeoutMs: number): Promise<Status>;
  futexWake(handle: NativeHandle, offset: number, count: number): Status;

  /** Creates the FIFO if missing and opens it read-write, non-blocking. */
  doorbellOpen(path: string, mode: number): NativeHandle | Status;
  doorbellRing(handle: NativeHandle): Status;
  doorbellWait(handle: NativeHandle, timeoutMs: number): Promise<Status>;
  doorbellClose(handle: NativeHandle): Status;

  crc32c(bytes: Uint8Array, seed: number): number;
  crc32cSoftware(bytes: Uint8Array, seed: number): number;
}
