// Queue positions: one number, segment index * segment size + offset in the segment.
// Records start after each segment's header, so offsets below it are moved past it.
import { SEGMENT_HEADER_SIZE } from './format.js';

export interface Place {
  readonly index: number;
  readonly offset: number;
  readonly position: number;
}

export function place(position: number, segmentSize: number): Place {
  const index = Math.floor(position / segmentSize);
  const offset = position - index * segmentSize;
  return offset < SEGMENT_HEADER_SIZE
    ? { index, offset: SEGMENT_HEADER_SIZE, position: index * segmentSize + SEGMENT_HEADER_SIZE }
    : { index, offset, position };
}

/** The first record position of segment `index`. */
export function segmentStart(index: number, segmentSize: number): number {
  return index * segmentSize + SEGMENT_HEADER_SIZE;
}
