/** A file system mounted for one test; `dispose()` unmounts it and removes everything. */
export interface TestDisk {
  /** Where the file system is mounted: create test files here. */
  readonly dir: string;
  dispose(): Promise<void>;
}

export interface FaultyDisk extends TestDisk {
  /**
   * From now on every write that reaches the device fails, so writeback (msync,
   * fsync, fdatasync of dirty data) reports EIO: the loop device's backing file is
   * made immutable.
   */
  failWrites(): void;
  /** Lets writes reach the device again. */
  healWrites(): void;
}

/** Why real disks cannot be made here (not root, no loop devices...), or undefined when they can. */
export function diskUnavailableReason(): string | undefined;

/** An ext4 file system on a loop device whose writes can be made to fail with EIO. */
export function faultyDisk(options?: { sizeMiB?: number }): Promise<FaultyDisk>;

/** A tmpfs of `sizeKiB` (default 256 KiB): fills up quickly, for ENOSPC. */
export function tinyDisk(options?: { sizeKiB?: number }): Promise<TestDisk>;
