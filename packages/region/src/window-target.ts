// One window of a region's current generation, as the layout views see it: a DataView
// and a byte view over the window, and where writes through views are reported.
// A region smaller than one ArrayBuffer (4 GiB on Node 20) has a single window.
import type { ViewTarget } from './layout/views.js';
import type { DirtyPages } from './dirty-pages.js';

export class WindowTarget implements ViewTarget {
  // Every view access loads `dv` from here. Fields are assigned in the constructor
  // only (`declare`, no class-field definitions): a field defined as undefined first
  // loses V8's knowledge of its type, and the hot loads measured 1.5x slower.
  declare dv: DataView;
  declare readonly bytes: Uint8Array;
  /** Offset of the window's first byte in the region. */
  declare readonly start: number;
  declare private readonly dirty: DirtyPages | undefined;

  constructor(bytes: Uint8Array, start: number, dirty: DirtyPages | undefined) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.bytes = bytes;
    this.start = start;
    this.dirty = dirty;
  }

  touched(at: number, length: number): void {
    this.dirty?.mark(this.start + at, length);
  }

  /**
   * Called when the region is resized or closed: every view still holding this target
   * now throws `failure()` on its next access, rather than a bare TypeError from a
   * detached buffer.
   */
  retire(failure: () => Error): void {
    this.dv = new Proxy({} as DataView, {
      get() {
        throw failure();
      },
    });
  }
}
