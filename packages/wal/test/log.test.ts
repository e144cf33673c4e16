// The log on real files: append, commit, read back, roll, drop, recover.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, writeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import {
  FileVolume,
  LogCorruptError,
  SimulatedVolume,
  WriteAheadLog,
  inspectLog,
  readLog,
  type SegmentFile,
} from '../src/index.js';
import { payloadFor, recordOffset, scratchDir } from './helpers.js';

const nextDir = scratchDir();

async function fill(log: WriteAheadLog, count: number, length?: number): Promise<void> {
  for (let i = 0; i < count; i++) log.append(payloadFor(log.lastLsn + 1, length));
  await log.commit();
}

function expectRecords(log: WriteAheadLog, from: number, to: number): void {
  const records = [...log.records()].filter((r) => r.type === 'data');
  expect(records.map((r) => r.lsn)).toEqual(Array.from({ length: to - from + 1 }, (_, i) => from + i));
  for (const r of records) expect(r.payload).toEqual(payloadFor(r.lsn, r.payload.length));
}

describe('append and commit', () => {
  it('gives dense LSNs from 1 and reads every record back after reopening', async () => {
    const dir = nextDir();
    const log = WriteAheadLog.open(dir);
    expect(log.recovery.verdict).toBe('clean');
    expect(log.append(payloadFor(1))).toBe(1);
    expect(await log.append(payloadFor(2), { commit: true })).toBe(2);
    expect(log.durableLsn).toBe(2);
    await fill(log, 98);
    await log.close();

    const again = WriteAheadLog.open(dir);
    expect(again.recovery).toMatchObject({ verdict: 'clean', firstLsn: 1, lastLsn: 100 });
    expectRecords(again, 1, 100);
    expect(again.append(payloadFor(101))).toBe(101);
    await again.close();
  });

  it('costs one flush per serial commit, and one flush for a whole group', async () => {
    const volume = new SimulatedVolume();
    const log = WriteAheadLog.open('sim', { volume });
    const before = volume.flushes;
    for (let i = 0; i < 10; i++) await log.append(payloadFor(i + 1), { commit: true });
    expect(volume.flushes - before).toBe(10);

    const start = volume.flushes;
    const commits = Array.from({ length: 200 }, (_, i) => log.append(payloadFor(11 + i), { commit: true }));
    expect(await Promise.all(commits)).toHaveLength(200);
    // Commits made before the flush starts all ride on it.
    expect(volume.flushes - start).toBe(1);
    await log.close();
  });

  it('commitSync flushes on the calling thread', () => {
    const log = WriteAheadLog.open(nextDir());
    log.append(payloadFor(1));
    expect(log.commitSync()).toBe(1);
    expect(log.durableLsn).toBe(1);
    void log.close();
  });

  it('commitSync settles the awaited commits it covered, and close() waits for a flush still queued', async () => {
    const log = WriteAheadLog.open(nextDir());
    log.append(payloadFor(1));
    const pending = log.commit();
    expect(log.commitSync()).toBe(1);
    await log.close();
    await expect(pending).resolves.toBe(1);
    expect(log.failure).toBeUndefined();
  });

  it('refuses a record larger than a segment can hold, with a code', () => {
    const log = WriteAheadLog.open(nextDir(), { segmentSize: 64 * 1024 });
    expect(() => log.append(new Uint8Array(64 * 1024))).toThrow(
      expect.objectContaining({ code: 'ERR_RECORD_TOO_LARGE' }),
    );
    expect(() => log.append('text' as unknown as Uint8Array)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
    void log.close();
  });
});

/** kB of private (copy-on-write) pages in this process's mappings of each file in `dir`. */
function privateKbByFile(dir: string): Map<string, number> {
  const kb = new Map<string, number>();
  let file: string | undefined;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s+(.*)$/.exec(line);
    if (mapping !== null) file = mapping[1]?.startsWith(`${dir}/`) ? mapping[1].slice(dir.length + 1) : undefined;
    const anonymous = /^Anonymous:\s+(\d+) kB/.exec(line);
    if (file !== undefined && anonymous !== null) kb.set(file, (kb.get(file) ?? 0) + Number(anonymous[1]));
  }
  return kb;
}

describe('writing segments', () => {
  it('appended records reach the file only when flushed; commits and other readers see them then', async () => {
    const dir = nextDir();
    const log = WriteAheadLog.open(dir);
    log.append(payloadFor(1, 100));
    await log.commit();
    log.append(payloadFor(2, 100));
    const segment = readFileSync(join(dir, readdirSync(dir).find((n) => n.endsWith('.log'))!));
    expect(recordOffset(segment, 1)).toBeGreaterThan(0);
    expect(() => recordOffset(segment, 2)).toThrow('record 2 not found');
    expect([...readLog(dir)].map((r) => r.lsn)).toEqual([1]);
    log.commitSync();
    expect([...readLog(dir)].map((r) => r.lsn)).toEqual([1, 2]);
    await log.close();
  });

  it('a segment closed while its flush runs on the thread pool: the flush completes, then the files close', async () => {
    const dir = nextDir();
    const volume = new FileVolume(dir, { create: true });
    const openFds = (): number => readdirSync('/proc/self/fd').length;
    const before = openFds();
    const file = volume.create('closing.log', 64 * 1024, new Uint8Array(64), { writeBack: 'pwrite' });
    const record = payloadFor(7, 300);
    file.bytes.set(record, 8192);
    const flushed = file.flush(8192, record.length);
    file.close();
    await expect(flushed).resolves.toBeUndefined();
    expect(readFileSync(join(dir, 'closing.log')).subarray(8192, 8192 + record.length)).toEqual(Buffer.from(record));
    expect(openFds()).toBe(before);
  });

  it('a dropped segment with a flush still queued is not reused: the late write cannot land on newer records', async () => {
    // The review's reproduction: reused as segment 4, the dropped file received the old
    // flush's stale pages after records 141-236 were acknowledged in it (reopened at 232).
    const dir = nextDir();
    const child = spawnSync(process.execPath, [fileURLToPath(new URL('./fixtures/late-flush.mjs', import.meta.url)), dir], {
      env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.status, child.stderr).toBe(0);
    const { acknowledged } = JSON.parse(child.stdout.trim()) as { acknowledged: number };
    expect(acknowledged).toBe(236);
    const again = WriteAheadLog.open(dir, { segmentSize: 64 * 1024 });
    expect(again.lastLsn).toBeGreaterThanOrEqual(acknowledged);
    const newer = [...again.records(141)].slice(0, acknowledged - 140);
    expect(newer.map((r) => r.payload[0])).toEqual(new Array<number>(acknowledged - 140).fill(0xcc));
    await again.close();
  });

  it('recovery zeroes a torn tail through the file, holding no private copy of the rest of the segment', async () => {
    const dir = nextDir();
    const log = WriteAheadLog.open(dir, { volume: new SharedMappingVolume(dir, { create: true }) });
    await fill(log, 10);
    log.append(payloadFor(11, 100));
    const segmentName = readdirSync(dir).find((n) => n.endsWith('.log'))!;
    const segment = join(dir, segmentName);
    const offset = recordOffset(readFileSync(segment), 11);
    const fd = openSync(segment, 'r+');
    writeSync(fd, new Uint8Array(40), 0, 40, offset + 60);
    writeSync(fd, new Uint8Array(64).fill(0x5a), 0, 64, 8 * 4096 + 100); // stale bytes past the tail
    closeSync(fd);
    const again = WriteAheadLog.open(dir);
    expect(again.recovery).toMatchObject({ verdict: 'torn-tail', lastLsn: 10 });
    const file = readFileSync(segment);
    expect(file.subarray(offset).every((b) => b === 0)).toBe(true);
    expect(privateKbByFile(dir).get(segmentName) ?? 0).toBeLessThanOrEqual(8);
    await again.close();
  });

  it('gives back flushed pages of the active segment as it goes: a large segment does not fill memory', async () => {
    const dir = nextDir();
    const log = WriteAheadLog.open(dir, { segmentSize: 8 * 1024 * 1024 });
    for (let i = 0; i < 600; i++) {
      for (let j = 0; j < 10; j++) log.append(payloadFor(log.lastLsn + 1, 1000));
      log.commitSync();
    }
    const names = readdirSync(dir).filter((n) => n.endsWith('.log'));
    const active = names.sort()[0]!;
    // ~6 MiB written into the first segment; at most a release step (1 MiB) and a few
    // pages stay private.
    expect(log.lastLsn).toBe(6000);
    expect(privateKbByFile(dir).get(active) ?? 0).toBeLessThanOrEqual(1024 + 16);
    // Every record reads back whole from the pages given back (compared as buffers:
    // toEqual on 6,000 typed arrays takes seconds).
    const wrong = (l: WriteAheadLog): number[] => {
      const records = [...l.records()];
      expect(records.length).toBe(6000);
      return records
        .filter((r, i) => r.lsn !== i + 1 || !Buffer.from(r.payload).equals(payloadFor(r.lsn, 1000)))
        .map((r) => r.lsn);
    };
    expect(wrong(log)).toEqual([]);
    await log.close();
    const again = WriteAheadLog.open(dir, { segmentSize: 8 * 1024 * 1024 });
    expect(again.recovery).toMatchObject({ verdict: 'clean', lastLsn: 6000 });
    expect(wrong(again)).toEqual([]);
    await again.close();
  });

  it('holds no private copy of a sealed segment once it is on disk: memory stays one segment', async () => {
    const dir = nextDir();
    const log = WriteAheadLog.open(dir, { segmentSize: 64 * 1024 });
    await fill(log, 400, 1000);
    const names = readdirSync(dir).filter((n) => n.endsWith('.log')).sort();
    expect(names.length).toBeGreaterThanOrEqual(6);
    const kb = privateKbByFile(dir);
    const sealed = names.slice(0, -2).map((n) => kb.get(n) ?? 0);
    expect(sealed).toEqual(sealed.map(() => 0));
    // The active segment's written pages are private until the segment is sealed.
    expect(Math.max(...names.slice(-2).map((n) => kb.get(n) ?? 0))).toBeGreaterThan(0);
    await log.close();
  });
});

describe('segments', () => {
  it('rolls into new segments and reads across them', async () => {
    const dir = nextDir();
    const log = WriteAheadLog.open(dir, { segmentSize: 64 * 1024 });
    await fill(log, 300, 1000);
    const segments = readdirSync(dir).filter((n) => n.endsWith('.log'));
    expect(segments.length).toBeGreaterThanOrEqual(5);
    await log.close();
    const again = WriteAheadLog.open(dir, { segmentSize: 64 * 1024 });
    // LSNs include one seal record per rolled segment; data records are all there.
    const data = [...again.records()].filter((r) => r.type === 'data');
    expect(data).toHaveLength(300);
    for (const r of data) expect(r.payload).toEqual(payloadFor(r.lsn, 1000));
    await again.close();
  });

  it('drops segments below a checkpoint, reuses them, and reopens at the new start', async () => {
    const dir = nextDir();
    const log = WriteAheadLog.open(dir, { segmentSize: 64 * 1024 });
    await fill(log, 200, 1000);
    const checkpointAt = log.lastLsn;
    await log.checkpoint(checkpointAt);
    const dropped = log.dropBefore(checkpointAt);
    expect(dropped).toBeGreaterThan(0);
    const filesAfterDrop = readdirSync(dir).length;
    await fill(log, 150, 1000);
    // Reused the dropped files instead of creating new ones (at most one prepared extra).
    expect(readdirSync(dir).length).toBeLessThanOrEqual(filesAfterDrop + 1);
    const firstLsn = log.firstLsn;
    const last = log.lastLsn;
    await log.close();

    const again = WriteAheadLog.open(dir, { segmentSize: 64 * 1024 });
    expect(again.recovery).toMatchObject({ verdict: 'clean', firstLsn, lastLsn: last, checkpointLsn: checkpointAt });
    expect([...again.records()][0]?.lsn).toBe(firstLsn);
    await again.close();
  });
});

describe('one writer at a time', () => {
  it('a second open for writing is refused with ELOCKED until the first closes; readers need no lock', async () => {
    const dir = nextDir();
    const log = WriteAheadLog.open(dir);
    await fill(log, 3);
    expect(() => WriteAheadLog.open(dir)).toThrow(expect.objectContaining({ code: 'ELOCKED' }));
    expect([...readLog(dir)].map((r) => r.lsn)).toEqual([1, 2, 3]);
    expect(inspectLog(dir).lastLsn).toBe(3);
    await log.close();
    const again = WriteAheadLog.open(dir);
    expect(again.lastLsn).toBe(3);
    await again.close();
  });

  it('a refused or failed open leaves the lock free', async () => {
    const dir = nextDir();
    const holder = WriteAheadLog.open(dir);
    expect(() => WriteAheadLog.open(dir)).toThrow(expect.objectContaining({ code: 'ELOCKED' }));
    await holder.close();
    expect(() => WriteAheadLog.open(dir, { segmentSize: 1000 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    const log = WriteAheadLog.open(dir);
    await log.close();
  });
});

/** Opens every file as a shared mapping, the writer's segments too. */
class SharedMappingVolume extends FileVolume {
  override open(name: string, writable: boolean): SegmentFile {
    return super.open(name, writable);
  }
}

describe('recovery', () => {
  it('truncates a torn tail of unacknowledged writes and says so', async () => {
    const dir = nextDir();
    // Without the writer's lock: this log plays a process that crashes, and a crashed
    // process's lock is gone (the kill tests do it with real processes). Its segments are
    // mapped shared, so appends reach the page cache before any flush; the log's own
    // writer puts them there only when it flushes, and a power loss during that flush
    // leaves the same torn tail.
    const log = WriteAheadLog.open(dir, { volume: new SharedMappingVolume(dir, { create: true }) });
    await fill(log, 10);
    const committed = log.lastLsn;
    log.append(payloadFor(11, 100));
    log.append(payloadFor(12, 100));
    // Simulate the crash: record 11's payload only half reached the disk.
    const segment = join(dir, readdirSync(dir).find((n) => n.endsWith('.log'))!);
    const offset = recordOffset(readFileSync(segment), 11);
    // Stop the log without close(), the way a crash would.
    log.commitSync(10);
    const fd = openSync(segment, 'r+');
    writeSync(fd, new Uint8Array(40), 0, 40, offset + 60);
    closeSync(fd);
    // Explained as what it is: writes never acknowledged, not damage.
    const preview = inspectLog(dir).explanation;
    expect(preview).toContain('torn tail at record 11');
    expect(preview).not.toContain('damaged');

    const again = WriteAheadLog.open(dir);
    expect(again.recovery).toMatchObject({
      verdict: 'torn-tail',
      lastLsn: committed,
      dropped: { fromLsn: 11, problem: 'payload-checksum' },
    });
    expectRecords(again, 1, committed);
    expect(again.append(payloadFor(11))).toBe(11);
    await again.close();
  });

  it('refuses a log with a flipped bit in an acknowledged record, and repairs only when asked', async () => {
    const dir = nextDir();
    const log = WriteAheadLog.open(dir);
    await fill(log, 100, 64);
    await log.close();
    const segment = join(dir, readdirSync(dir).find((n) => n.endsWith('.log'))!);
    const bytes = readFileSync(segment);
    const at50 = recordOffset(bytes, 50) + 40;
    const fd = openSync(segment, 'r+');
    writeSync(fd, new Uint8Array([bytes[at50]! ^ 0x04]), 0, 1, at50);
    closeSync(fd);

    let error: unknown;
    try {
      WriteAheadLog.open(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LogCorruptError);
    expect(error).toMatchObject({ code: 'ECORRUPT', scan: { break: { lsn: 50 }, lastLsn: 49 } });

    const preview = inspectLog(dir);
    expect(preview.verdict).toBe('corrupt');
    expect(preview.explanation).toContain('drops LSN 50');

    const repaired = WriteAheadLog.open(dir, { repair: true });
    expect(repaired.recovery).toMatchObject({ verdict: 'corrupt', lastLsn: 49, dropped: { fromLsn: 50 } });
    expectRecords(repaired, 1, 49);
    await repaired.close();
  });

  it('reads the log from a second reader while the owner keeps it open', async () => {
    const dir = nextDir();
    const log = WriteAheadLog.open(dir);
    await fill(log, 20);
    const seen = [...readLog(dir, { fromLsn: 5 })].map((r) => r.lsn);
    expect(seen).toEqual(Array.from({ length: 16 }, (_, i) => 5 + i));
    await log.close();
  });
});

describe('flush failure', () => {
  it('fails every pending and later commit, and acknowledges nothing more', async () => {
    const volume = new SimulatedVolume();
    const log = WriteAheadLog.open('sim', { volume });
    await fill(log, 5);
    volume.failFlushes();
    const pending = [log.append(payloadFor(6), { commit: true }), log.append(payloadFor(7), { commit: true })];
    for (const p of pending) await expect(p).rejects.toMatchObject({ code: 'ELOGFAILED' });
    expect(log.durableLsn).toBe(5);
    expect(() => log.append(payloadFor(8))).toThrow(expect.objectContaining({ code: 'ELOGFAILED' }));
    await expect(log.commit()).rejects.toMatchObject({ code: 'ELOGFAILED' });
    expect(log.failure?.cause).toMatchObject({ code: 'EIO' });
  });
});
