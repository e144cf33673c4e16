// Group commit: N committers at once, each waiting for its own record to be durable,
// for a fixed time. @mapsync/wal and lmdb-js take N concurrent awaiting writers;
// better-sqlite3 is synchronous, so its equivalent is one transaction of N rows.
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { runConcurrent } from '@mapsync/bench-kit';
import { WriteAheadLog } from '@mapsync/wal';
import Database from 'better-sqlite3';

import { openLmdb, putDurably } from './lmdb-durable.js';
import { RECORD_BYTES } from './serial.js';

export interface GroupRun {
  readonly records: number;
  readonly seconds: number;
  /** µs from asking for a commit (or a transaction) to its being durable. */
  readonly latencies: Float64Array;
}

export interface GroupSystem {
  readonly id: string;
  readonly label: string;
  readonly durability: string;
  /** Untimed for `warmup` seconds, then timed for `seconds`. */
  run(dir: string, committers: number, seconds: number, warmup: number): Promise<GroupRun>;
}

async function inFreshDir<T>(
  dir: string,
  id: string,
  run: (own: string) => T | Promise<T>,
): Promise<T> {
  const own = mkdtempSync(path.join(dir, `${id}-`));
  try {
    return await run(own);
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
}

const record = new Uint8Array(RECORD_BYTES).fill(0x72);

export const groupSystems: readonly GroupSystem[] = [
  {
    id: 'wal',
    label: '@mapsync/wal: N committers, each await append(r, { commit: true })',
    durability: 'pwrite + fdatasync per commit group, shared by the commits waiting for it',
    run: (dir, committers, seconds, warmup) =>
      inFreshDir(dir, 'wal', async (own) => {
        const log = WriteAheadLog.open(own);
        try {
          return await runConcurrent({ workers: committers, warmupSeconds: warmup, seconds }, () =>
            log.append(record, { commit: true }),
          );
        } finally {
          await log.close();
        }
      }),
  },
  {
    id: 'lmdb',
    label: 'lmdb-js 3: N concurrent put()s, each awaited until flushed',
    durability: 'LMDB transaction (all puts of an event turn) synced before flushed resolves',
    run: (dir, committers, seconds, warmup) =>
      inFreshDir(dir, 'lmdb', async (own) => {
        const db = openLmdb(own);
        let key = 0;
        try {
          return await runConcurrent({ workers: committers, warmupSeconds: warmup, seconds }, () =>
            putDurably(db, ++key, record),
          );
        } finally {
          await db.close();
        }
      }),
  },
  {
    id: 'better-sqlite3',
    label: 'better-sqlite3 12: transactions of N rows, one after another',
    durability: 'WAL journal, synchronous=FULL: the WAL file fsynced per transaction',
    run: (dir, rowsPerTransaction, seconds, warmup) =>
      inFreshDir(dir, 'sqlite', (own) => {
        const db = new Database(path.join(own, 'bench.db'));
        try {
          db.pragma('journal_mode = WAL');
          db.pragma('synchronous = FULL');
          db.exec('CREATE TABLE records (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)');
          const insert = db.prepare('INSERT INTO records (payload) VALUES (?)');
          const transaction = db.transaction(() => {
            for (let i = 0; i < rowsPerTransaction; i++) insert.run(record);
          });
          const latencies: number[] = [];
          const warmupEnd = performance.now() + warmup * 1000;
          while (performance.now() < warmupEnd) transaction();
          const started = performance.now();
          const deadline = started + seconds * 1000;
          while (performance.now() < deadline) {
            const t0 = performance.now();
            transaction();
            latencies.push((performance.now() - t0) * 1000);
          }
          return {
            records: latencies.length * rowsPerTransaction,
            seconds: (performance.now() - started) / 1000,
            latencies: Float64Array.from(latencies),
          };
        } finally {
          db.close();
        }
      }),
  },
];
