// Reading a log without owning it: from another process, or to check it before
// opening (what `mapsync wal verify` and a repair preview show).
import { validate } from '@mapsync/native';

import { FileVolume } from './file-volume.js';
import { RECORD_HEADER_SIZE, RECORDS_START, RecordType, decodeRecordHeader, recordSpan, takesLsn } from './format.js';
import { describeBreak, summarize, type LogRecord, type LogSummary } from './log.js';
import { scanLog } from './scan.js';
import type { LogVolume } from './volume.js';

function volumeFor(dir: string, volume: LogVolume | undefined): LogVolume {
  return volume ?? new FileVolume(validate.checkPath(dir, 'dir'));
}

/** What the log holds and, if it is damaged, what a repair would drop. Changes nothing. */
export function inspectLog(dir: string, options: { volume?: LogVolume } = {}): LogSummary & { explanation: string } {
  const volume = volumeFor(dir, options.volume);
  const scan = scanLog(volume, false);
  for (const s of scan.segments) s.file.close();
  const summary = summarize(volume.location, scan);
  return { ...summary, explanation: describeBreak(summary) };
}

/**
 * The records of the log's valid prefix from `fromLsn`, read through read-only
 * mappings: safe while another process appends (a record being written is not yet
 * valid and ends the read). Payloads are copies.
 */
export function* readLog(dir: string, options: { fromLsn?: number; volume?: LogVolume } = {}): Generator<LogRecord> {
  const volume = volumeFor(dir, options.volume);
  const fromLsn = validate.checkSize(options.fromLsn ?? 0, 'options.fromLsn');
  const scan = scanLog(volume, false);
  try {
    for (const segment of scan.segments.slice(0, scan.tail.segmentIndex + 1)) {
      if (segment.firstLsn === undefined || segment.lastLsn < fromLsn) continue;
      let at = RECORDS_START;
      while (at < segment.end) {
        const decoded = decodeRecordHeader(segment.bytes, at);
        if (!decoded.ok) break;
        const h = decoded.header;
        if (takesLsn(h.type) && h.lsn >= fromLsn) {
          const start = at + RECORD_HEADER_SIZE;
          yield {
            lsn: h.lsn,
            type: h.type === RecordType.checkpoint ? 'checkpoint' : 'data',
            payload: segment.bytes.bytes.slice(start, start + h.payloadLength),
          };
        }
        at += recordSpan(h.payloadLength);
      }
    }
  } finally {
    for (const s of scan.segments) s.file.close();
  }
}
