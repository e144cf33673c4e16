// Serial durable commits of 100-byte records, one at a time, each system in its own
// fresh directory per round: the C loop of packages/wal/bench/commits.c, @mapsync/wal
// both ways, and what a Node.js user would pick instead. Each states what "committed"
// means for it, so no durable loop is set beside a non-durable one.
import { execFile } from 'node:child_process';
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import { timeCalls } from '@mapsync/bench-kit';
import { WriteAheadLog } from '@mapsync/wal';
import Database from 'better-sqlite3';
import { ClassicLevel } from 'classic-level';

import { openLmdb, putDurably } from './lmdb-durable.js';

export const RECORD_BYTES = 100;
/**
 * Untimed commits before each round is timed, on every side alike: V8 keeps optimizing
 * a commit path for a while (with 20, the first 500 timed commits of a fresh log
 * measured 10-40 µs slower at p50 than the next 1,000; with 300, a first round still
 * ran 13-22 µs slower than a fourth, which 2,000 evened out).
 */
export const SERIAL_WARMUP = 2000;

export interface SerialSystem {
  readonly id: string;
  readonly label: string;
  readonly durability: string;
  /** `n` timed commits (after untimed warm-up) in a fresh store under `dir`; µs each. */
  round(dir: string, n: number): Promise<Float64Array>;
}

/** An open store: `commit` makes one more record durable (returning once it is). */
interface Committer {
  commit(i: number): unknown;
  close(): unknown;
}

function jsSystem(
  id: string,
  label: string,
  durability: string,
  open: (dir: string, record: Uint8Array) => Promise<Committer> | Committer,
): SerialSystem {
  return {
    id,
    label,
    durability,
    async round(dir, n) {
      const own = mkdtempSync(path.join(dir, `${id}-`));
      const record = new Uint8Array(RECORD_BYTES).fill(0x72);
      const store = await open(own, record);
      try {
        return await timeCalls(n, (i) => store.commit(i), { warmup: SERIAL_WARMUP });
      } finally {
        await store.close();
        rmSync(own, { recursive: true, force: true });
      }
    },
  };
}

/** The C loop: pwrite + fdatasync on a preallocated file (the wal package's commits.c). */
export function cLoop(bin: string): SerialSystem {
  return {
    id: 'c',
    label: 'C: pwrite 100 B + fdatasync (commits.c)',
    durability: 'fdatasync per commit, preallocated file',
    async round(dir, n) {
      const args = [dir, String(n), String(RECORD_BYTES), '1', String(SERIAL_WARMUP)];
      const { stdout } = await promisify(execFile)(bin, args, { maxBuffer: 64 << 20 });
      return Float64Array.from((JSON.parse(stdout) as { samples: number[] }).samples);
    },
  };
}

export const jsSystems: readonly SerialSystem[] = [
  jsSystem(
    'wal-commit',
    '@mapsync/wal: await append(r, { commit: true })',
    'pwrite + fdatasync of the new log pages per commit, off the event loop',
    (dir, record) => {
      const log = WriteAheadLog.open(dir);
      return { commit: () => log.append(record, { commit: true }), close: () => log.close() };
    },
  ),
  jsSystem(
    'wal-commit-sync',
    '@mapsync/wal: append(r) + commitSync()',
    'pwrite + fdatasync of the new log pages per commit, on the calling thread',
    (dir, record) => {
      const log = WriteAheadLog.open(dir);
      return {
        commit: () => {
          log.append(record);
          log.commitSync();
        },
        close: () => log.close(),
      };
    },
  ),
  jsSystem(
    'better-sqlite3',
    'better-sqlite3 12: INSERT, one row per transaction',
    'WAL journal, synchronous=FULL: the WAL file fsynced per transaction',
    (dir, record) => {
      const db = new Database(path.join(dir, 'bench.db'));
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.exec('CREATE TABLE records (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)');
      const insert = db.prepare('INSERT INTO records (payload) VALUES (?)');
      return {
        commit: () => {
          insert.run(record);
        },
        close: () => db.close(),
      };
    },
  ),
  jsSystem(
    'lmdb',
    'lmdb-js 3: put(), awaited until flushed',
    "LMDB transaction synced (fdatasync) before the put's flushed promise resolves",
    (dir, record) => {
      const db = openLmdb(dir);
      return { commit: (i) => putDurably(db, i, record), close: () => db.close() };
    },
  ),
  jsSystem(
    'classic-level',
    'classic-level 3: put(k, r, { sync: true })',
    'LevelDB log fdatasynced per put (sync: true)',
    async (dir, record) => {
      const db = new ClassicLevel<string, Uint8Array>(dir, { valueEncoding: 'view' });
      await db.open();
      return {
        commit: (i) => db.put(String(i).padStart(10, '0'), record, { sync: true }),
        close: () => db.close(),
      };
    },
  ),
  jsSystem(
    'fs-append',
    'node:fs: writeSync (append) + fdatasyncSync',
    'fdatasync per append; the file grows, so its size is journaled too',
    (dir, record) => {
      const fd = openSync(path.join(dir, 'append.log'), 'a');
      return {
        commit: () => {
          writeSync(fd, record);
          fdatasyncSync(fd);
        },
        close: () => {
          closeSync(fd);
        },
      };
    },
  ),
];
