import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PageStore, WriteAheadLog } from '@mapsync/wal';
import { describe, expect, it } from 'vitest';

import { flipByteOf, json, mapsync, mapsyncPiped, scratchDirs } from './helpers.js';

const nextDir = scratchDirs();
const SEGMENT = 'wal-0000000000000001.log';
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

/** A log of 5 committed records ("record 1".."record 5"), a binary one and a checkpoint: LSNs 1..7. */
async function makeLog(): Promise<string> {
  const dir = join(nextDir(), 'log');
  const log = WriteAheadLog.open(dir, { segmentSize: 64 * 1024 });
  for (let i = 1; i <= 5; i++) await log.append(text(`record ${i}`), { commit: true });
  await log.append(new Uint8Array([0, 1, 2, 255]), { commit: true });
  await log.checkpoint(5);
  await log.close();
  return dir;
}

/** A log whose last record was never acknowledged (its writer died before committing it), then torn. */
function makeTornLog(): string {
  const dir = join(nextDir(), 'log');
  const writer = `
    import { WriteAheadLog } from '@mapsync/wal';
    const log = WriteAheadLog.open(${JSON.stringify(dir)}, { segmentSize: 64 * 1024 });
    for (let i = 1; i <= 3; i++) await log.append(new TextEncoder().encode('acknowledged ' + i), { commit: true });
    log.append(new TextEncoder().encode('never acknowledged'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    process.exit(0);`;
  execFileSync(process.execPath, ['--input-type=module', '-e', writer], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  });
  flipByteOf(join(dir, SEGMENT), 'never acknowledged');
  return dir;
}

describe('a healthy log', () => {
  it('stats: segments, LSN range, records, checkpoint', async () => {
    const dir = await makeLog();
    const run = mapsync(['wal', 'stats', dir]);
    expect(run.stdout).toContain('verdict     clean');
    expect(run.stdout).toContain(`segments    1 (64 KiB on disk): ${SEGMENT}`);
    expect(run.stdout).toContain('LSNs        1..7');
    expect(run.stdout).toContain('records     6 data, 1 checkpoint');
    expect(run.stdout).toContain('checkpoint  LSN 5');
    expect(run.status).toBe(0);
    expect(json(mapsync(['wal', 'stats', dir, '--json']))).toEqual({
      log: dir,
      verdict: 'clean',
      segments: [{ name: SEGMENT, bytes: 65536 }],
      bytes: 65536,
      firstLsn: 1,
      lastLsn: 7,
      records: { data: 6, checkpoint: 1 },
      checkpointLsn: 5,
      dataFile: null,
    });
  });

  it('dump: one line per record, text or hex', async () => {
    const dir = await makeLog();
    const run = mapsync(['wal', 'dump', dir]);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('LSN 1  data  8 B  "record 1"');
    expect(lines[5]).toBe('LSN 6  data  4 B  0x000102ff');
    expect(lines[6]).toMatch(/^LSN 7 {2}checkpoint {2}\d+ B {2}0x/);
    expect(lines[7]).toBe(`7 record(s) from ${dir}`);
    expect(run.status).toBe(0);
  });

  it('dump --from --limit --json', async () => {
    const dir = await makeLog();
    const report = json(mapsync(['wal', 'dump', dir, '--from', '2', '--limit', '2', '--json']));
    expect(report.log).toBe(dir);
    expect(report.state).toMatchObject({
      verdict: 'clean',
      firstLsn: 1,
      lastLsn: 7,
      break: null,
      wouldDrop: null,
    });
    expect(report.records).toEqual([
      {
        lsn: 2,
        type: 'data',
        length: 8,
        payload: Buffer.from('record 2').toString('base64'),
        text: 'record 2',
      },
      {
        lsn: 3,
        type: 'data',
        length: 8,
        payload: Buffer.from('record 3').toString('base64'),
        text: 'record 3',
      },
    ]);
  });

  it('verify: intact, exit 0', async () => {
    const dir = await makeLog();
    const run = mapsync(['wal', 'verify', dir]);
    expect(run.stdout).toContain('verdict        intact');
    expect(run.status).toBe(0);
    expect(json(mapsync(['wal', 'verify', dir, '--json']))).toEqual({
      log: dir,
      verdict: 'clean',
      firstLsn: 1,
      lastLsn: 7,
      checkpointLsn: 5,
      break: null,
      wouldDrop: null,
      explanation: `the log in ${dir} is intact up to LSN 7`,
      segments: [SEGMENT],
    });
  });

  it('recover: opens, recovers, closes', async () => {
    const dir = await makeLog();
    const run = mapsync(['wal', 'recover', dir, '--json']);
    expect(json(run)).toEqual({
      log: dir,
      kind: 'log',
      recovered: true,
      verdict: 'clean',
      firstLsn: 1,
      lastLsn: 7,
      checkpointLsn: 5,
      segments: 1,
      dropped: null,
      replayed: null,
      damage: null,
    });
    expect(run.status).toBe(0);
  });

  it('recover on a page store re-applies its redo records into data.db', async () => {
    const dir = join(nextDir(), 'store');
    const store = PageStore.open(dir, { size: 8192 });
    await store.transaction((tx) => {
      tx.write(0, text('balance=500'));
    });
    await store.close();
    const run = mapsync(['wal', 'recover', dir]);
    expect(run.stdout).toContain(`log         ${dir} (page store: data.db and its log)`);
    expect(run.stdout).toMatch(/replayed {4}\d+ redo record\(s\) into data\.db/);
    expect(json(mapsync(['wal', 'recover', dir, '--json']))).toMatchObject({
      kind: 'page-store',
      recovered: true,
    });
    expect(json(mapsync(['wal', 'stats', dir, '--json']))).toMatchObject({
      dataFile: { name: 'data.db', bytes: 8192 },
    });
  });
});

describe('output into a reader that goes away', () => {
  it('dump | head -1 ends quietly with exit 0, no stack trace', async () => {
    const dir = join(nextDir(), 'log');
    const log = WriteAheadLog.open(dir);
    // Far more output than a pipe holds, so the writes after head exits fail (EPIPE).
    for (let i = 1; i <= 20_000; i++) log.append(text(`record ${i}`));
    await log.close();
    const run = mapsyncPiped(['wal', 'dump', dir], 'head -1');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n')).toHaveLength(2);
  });
});

describe('a torn tail: a record never acknowledged, damaged', () => {
  it('verify says so and exits 0: the next open truncates it', () => {
    const dir = makeTornLog();
    const report = json(mapsync(['wal', 'verify', dir, '--json']));
    expect(report).toMatchObject({
      verdict: 'torn-tail',
      lastLsn: 3,
      break: { lsn: 4 },
      wouldDrop: { fromLsn: 4, needsRepair: false },
    });
    const run = mapsync(['wal', 'verify', dir]);
    expect(run.stdout).toContain('torn tail');
    expect(run.stdout).not.toContain('damaged');
    expect(run.status).toBe(0);
  });

  it('recover truncates it without --repair', () => {
    const dir = makeTornLog();
    const run = mapsync(['wal', 'recover', dir, '--json']);
    expect(json(run)).toMatchObject({
      recovered: true,
      verdict: 'torn-tail',
      lastLsn: 3,
      dropped: { fromLsn: 4 },
    });
    expect(run.status).toBe(0);
    expect(json(mapsync(['wal', 'verify', dir, '--json']))).toMatchObject({
      verdict: 'clean',
      lastLsn: 3,
    });
  });
});

describe('a damaged log: a byte flipped in an acknowledged record', () => {
  async function damagedLog(): Promise<string> {
    const dir = await makeLog();
    flipByteOf(join(dir, SEGMENT), 'record 2');
    return dir;
  }

  it('verify: exit 3, and what a repair would drop', async () => {
    const dir = await damagedLog();
    const run = mapsync(['wal', 'verify', dir]);
    expect(run.stdout).toContain('verdict        DAMAGED: acknowledged records are unreadable');
    expect(run.stdout).toMatch(
      /break {10}LSN 2 in wal-0000000000000001\.log at offset \d+ \(payload-checksum\)/,
    );
    expect(run.stdout).toContain(
      'repair         --repair would drop LSN 2 and everything after it (5 readable record(s) beyond the damage)',
    );
    // The explanation names the command that repairs, not the library's option.
    expect(run.stdout).toContain(
      "Running 'mapsync wal recover --repair' keeps LSNs 1..1 and drops LSN 2",
    );
    expect(run.stdout).not.toContain('{ repair: true }');
    expect(run.status).toBe(3);
    const report = json(mapsync(['wal', 'verify', dir, '--json']));
    expect(report).toMatchObject({
      verdict: 'corrupt',
      lastLsn: 1,
      break: { segment: SEGMENT, lsn: 2, problem: 'payload-checksum' },
      wouldDrop: { fromLsn: 2, recordsAfterBreak: 5, needsRepair: true },
    });
  });

  it('dump and stats show the readable prefix and exit 3', async () => {
    const dir = await damagedLog();
    const dump = mapsync(['wal', 'dump', dir]);
    expect(dump.stdout).toContain('LSN 1  data  8 B  "record 1"');
    expect(dump.stdout).not.toContain('LSN 2  data');
    expect(dump.stdout).toContain('the log is damaged: record 2');
    expect(dump.status).toBe(3);
    const stats = mapsync(['wal', 'stats', dir, '--json']);
    expect(json(stats)).toMatchObject({ verdict: 'corrupt', lastLsn: 1 });
    expect(stats.status).toBe(3);
  });

  it('recover refuses without --repair (exit 3, nothing changed), repairs with it', async () => {
    const dir = await damagedLog();
    const refused = mapsync(['wal', 'recover', dir]);
    expect(refused.stdout).toContain(
      'DAMAGED: acknowledged records are unreadable; nothing was changed',
    );
    expect(refused.stdout).toContain('run again with --repair');
    expect(refused.stdout).not.toContain('{ repair: true }');
    expect(refused.status).toBe(3);
    expect(json(mapsync(['wal', 'verify', dir, '--json']))).toMatchObject({ verdict: 'corrupt' });

    const repaired = mapsync(['wal', 'recover', dir, '--repair', '--json']);
    expect(json(repaired)).toMatchObject({
      recovered: true,
      verdict: 'corrupt',
      lastLsn: 1,
      dropped: { fromLsn: 2, recordsAfterBreak: 5 },
    });
    expect(repaired.status).toBe(0);
    expect(mapsync(['wal', 'verify', dir]).status).toBe(0);
  });
});

describe('not a log', () => {
  it('a missing directory: ENOENT, exit 1, and it is not created', () => {
    const missing = join(nextDir(), 'nope');
    for (const command of ['dump', 'verify', 'recover', 'stats']) {
      const run = mapsync(['wal', command, missing]);
      expect(run.stderr).toBe(`mapsync: ENOENT: no such directory: ${missing}\n`);
      expect(run.status).toBe(1);
    }
    expect(existsSync(missing)).toBe(false);
  });

  it('a file: ENOTDIR, exit 1', () => {
    const file = join(nextDir(), 'notes.txt');
    writeFileSync(file, 'hello');
    const run = mapsync(['wal', 'verify', file]);
    expect(run.stderr).toBe(`mapsync: ENOTDIR: ${file} is not a directory\n`);
    expect(run.status).toBe(1);
  });

  it('a directory without segments: ENOTWAL, exit 1', () => {
    const dir = nextDir();
    writeFileSync(join(dir, 'notes.txt'), 'hello');
    const run = mapsync(['wal', 'stats', dir, '--json']);
    expect(run.stderr).toBe(
      `mapsync: ENOTWAL: ${dir} holds no write-ahead log (no wal-*.log segment file)\n`,
    );
    expect(run.stdout).toBe('');
    expect(run.status).toBe(1);
  });

  it('a segment file that is not one: ECORRUPT, exit 3', () => {
    const dir = join(nextDir(), 'log');
    mkdirSync(dir);
    writeFileSync(join(dir, SEGMENT), new Uint8Array(8192).fill(0x5a));
    const run = mapsync(['wal', 'verify', dir]);
    expect(run.stderr).toBe(
      `mapsync: ECORRUPT: log segment ${SEGMENT} in ${dir} has a bad header (not-a-segment)\n`,
    );
    expect(run.status).toBe(3);
  });
});
