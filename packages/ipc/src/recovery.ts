// After a reboot (queue.meta records the boot it was last recovered in) the page cache
// is gone, and with mmap any subset of the unflushed pages may have reached the disk,
// torn at sectors. Before anyone reads, one process walks the records past the durable
// point: a record is kept only if its checksum proves it whole; a half-written or
// unverifiable one becomes padding (never delivered); the first never-written header
// ends the queue, and everything after it is cleared. A process crash, by contrast,
// loses nothing: the page cache survives, and abandoned claims are skipped by tailers.
import { crc32c } from '@mapsync/native';

import { HAS_CRC, INCOMPLETE, LENGTH_MASK, PADDING, recordSpan } from './format.js';
import type { QueueMeta } from './meta.js';
import { processAlive } from './process-alive.js';
import { place, segmentStart } from './position.js';
import { damagedRecord, type SegmentStore } from './segments.js';

export interface RebootRecovery {
  /** Where the queue now ends. */
  readonly tail: number;
  /** Records past the durable point that were kept (whole, checksum verified). */
  readonly kept: number;
  /** Records past the durable point turned into padding (torn, or unverifiable). */
  readonly dropped: number;
}

const LOCK_WAIT_MS = 10_000;

/** Recovers the queue if the machine rebooted since it was last used; undefined if not needed. */
export function recoverAfterReboot(meta: QueueMeta, store: SegmentStore): RebootRecovery | undefined {
  if (meta.bootIdMatches()) return undefined;
  const started = Date.now();
  while (!meta.tryLockRecovery()) {
    const holder = meta.recoveryHolder();
    if (meta.bootIdMatches()) return undefined;
    // A holder that died mid-recovery (or one from before the reboot) is replaced.
    if (Date.now() - started > LOCK_WAIT_MS || !processAlive(holder)) meta.breakRecoveryLock(holder);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
  }
  try {
    if (meta.bootIdMatches()) return undefined;
    const result = scanAndRepair(meta, store);
    meta.setTailHint(result.tail);
    meta.setDurablePosition(result.tail);
    meta.setBootId();
    meta.flushSync();
    return result;
  } finally {
    meta.unlockRecovery();
  }
}

function scanAndRepair(meta: QueueMeta, store: SegmentStore): RebootRecovery {
  const size = store.segmentSize;
  let position = Math.max(meta.durablePosition, segmentStart(meta.firstSegment, size));
  let kept = 0;
  let dropped = 0;
  for (;;) {
    const at = place(position, size);
    position = at.position;
    const segment = store.get(at.index, false);
    if (segment === undefined) break;
    const w = at.offset >>> 2;
    const word = Atomics.load(segment.words, w) >>> 0;
    if (word === 0) {
      // Never written (or its header never reached the disk): the queue ends here.
      segment.bytes.fill(0, at.offset);
      segment.region.flushSync({ offset: at.offset, length: size - at.offset });
      break;
    }
    const length = word & LENGTH_MASK;
    const span = (word & PADDING) !== 0 ? length : recordSpan(length);
    if (span < 8 || at.offset + span > size) throw damagedRecord(segment, at.offset, word);
    if ((word & PADDING) === 0) {
      const payload = segment.bytes.subarray(at.offset + 8, at.offset + 8 + length);
      const stored = (segment.words[w + 1] ?? 0) >>> 0;
      const whole = (word & (INCOMPLETE | HAS_CRC)) === HAS_CRC && crc32c(payload) === stored;
      if (whole) kept++;
      else {
        Atomics.store(segment.words, w, (PADDING | span) | 0);
        segment.region.flushSync({ offset: at.offset, length: 8 });
        dropped++;
      }
    }
    position += span;
  }
  // Segments past the end hold nothing that was ever made durable.
  const endIndex = place(position, size).index;
  for (const index of store.list()) {
    if (index > endIndex) {
      store.deleteSegment(index);
    }
  }
  return { tail: position, kept, dropped };
}
