// The system calls a flush makes, behind one small interface. Regions always use
// `systemCalls`; tests hand a region a wrapper that fails on cue (EIO on the third
// msync, say) to prove what a failed flush does, without a broken disk.
import { fdatasync, fdatasyncSync, fsync, fsyncSync, type Mapping } from '@mapsync/native';

export interface FlushSyscalls {
  msync(mapping: Mapping, offset: number, length: number, flags: number): Promise<void>;
  msyncSync(mapping: Mapping, offset: number, length: number, flags: number): void;
  fsync(fd: number): Promise<void>;
  fsyncSync(fd: number): void;
  fdatasync(fd: number): Promise<void>;
  fdatasyncSync(fd: number): void;
}

export const systemCalls: FlushSyscalls = {
  msync: (mapping, offset, length, flags) => mapping.msync(offset, length, flags),
  msyncSync: (mapping, offset, length, flags) => {
    mapping.msyncSync(offset, length, flags);
  },
  fsync,
  fsyncSync,
  fdatasync,
  fdatasyncSync,
};
