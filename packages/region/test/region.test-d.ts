// Type tests for regions: the mode picks the type, and a read-only region has no
// method that writes or flushes. The storage seam is small enough to implement.
import { describe, expectTypeOf, it } from 'vitest';

import {
  openRegion,
  openRegionSync,
  type FlushReport,
  type ReadonlyRegion,
  type Storage,
  type WritableRegion,
} from '../src/index.js';

describe('openRegion', () => {
  it("mode 'rw' gives a WritableRegion; 'r' or nothing a ReadonlyRegion", () => {
    expectTypeOf(openRegion('f', { mode: 'rw', size: 4096, create: true })).toEqualTypeOf<
      Promise<WritableRegion>
    >();
    expectTypeOf(openRegion('f', { mode: 'r' })).toEqualTypeOf<Promise<ReadonlyRegion>>();
    expectTypeOf(openRegion('f')).toEqualTypeOf<Promise<ReadonlyRegion>>();
    expectTypeOf(openRegionSync('f', { mode: 'rw' })).toEqualTypeOf<WritableRegion>();
    expectTypeOf(openRegionSync('f')).toEqualTypeOf<ReadonlyRegion>();
    const mode = Math.random() > 0.5 ? 'r' : 'rw';
    expectTypeOf(openRegionSync('f', { mode })).toEqualTypeOf<ReadonlyRegion | WritableRegion>();
  });

  it('create and fileMode belong to writable regions', () => {
    // @ts-expect-error a read-only region cannot create its file
    openRegionSync('f', { mode: 'r', create: true, size: 1 });
    // @ts-expect-error a read-only region cannot create its file
    openRegionSync('f', { create: true, size: 1 });
    // @ts-expect-error fileMode is a number
    openRegionSync('f', { mode: 'rw', create: true, size: 1, fileMode: '600' });
    // @ts-expect-error 'w' is not a mode
    openRegionSync('f', { mode: 'w' });
  });
});

describe('read-only regions', () => {
  it('have no write, flush or resize methods', () => {
    const region = openRegionSync('f');
    for (const method of [
      'write',
      'set',
      'markDirty',
      'dirtyRanges',
      'flush',
      'flushSync',
      'schedule',
      'resize',
      'resizeSync',
      'adviseDestructive',
      'failure',
    ] as const) {
      expectTypeOf(region).not.toHaveProperty(method);
    }
    // @ts-expect-error the bytes of a read-only mapping cannot be assigned
    region.bytes()[0] = 1;
    expectTypeOf(region.read(0, 1)).toEqualTypeOf<Uint8Array>();
    region.invalidate();
    region.advise('sequential');
    // @ts-expect-error destructive advices go through adviseDestructive()
    region.advise('dontneed');
  });

  it('a writable region is usable as a read-only one', () => {
    expectTypeOf<WritableRegion>().toExtend<ReadonlyRegion>();
    const region = openRegionSync('f', { mode: 'rw' });
    region.bytes()[0] = 1;
    expectTypeOf(region.flush()).toEqualTypeOf<Promise<FlushReport>>();
    expectTypeOf(
      region.flushSync({ strategy: 'fdatasync', offset: 0, length: 1 }),
    ).toEqualTypeOf<FlushReport>();
    // @ts-expect-error 'sync' is not a flush strategy
    region.flushSync({ strategy: 'sync' });
  });

  it('regions work with `using`', () => {
    expectTypeOf<ReadonlyRegion>().toExtend<Disposable>();
  });
});

describe('the storage seam', () => {
  it('a writable region is a Storage, and a simulated store can be one too', () => {
    expectTypeOf<WritableRegion>().toExtend<Storage>();
    expectTypeOf<ReadonlyRegion>().not.toExtend<Storage>();
    const simulated: Storage = {
      size: 4096,
      bytes: () => new Uint8Array(0),
      read: (_offset, length) => new Uint8Array(length),
      write: () => undefined,
      markDirty: () => undefined,
      flush: () => Promise.reject(new Error('EIO')),
      flushSync: () => {
        throw new Error('EIO');
      },
      close: () => undefined,
    };
    expectTypeOf(simulated.flush({ offset: 0, length: 1 })).toEqualTypeOf<Promise<FlushReport>>();
  });
});
