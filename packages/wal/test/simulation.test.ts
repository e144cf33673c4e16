// Deterministic power-loss simulation: random workloads over a SimulatedVolume,
// crashed at random points (unflushed pages persist or not, in any order, torn at
// 512-byte sectors, sometimes written to the wrong place), recovered, and checked:
// every acknowledged record is present and byte-identical, nothing that was never
// appended appears, LSNs are dense, and what was acknowledged never goes backwards.
// WAL_SIM_SEEDS=100000 runs a long exploration; a failure names its seed.
import { describe, expect, it } from 'vitest';

import { SimulatedVolume, WriteAheadLog, seededRandom, type Random } from '../src/index.js';

const SEEDS = Number(process.env.WAL_SIM_SEEDS ?? 1500);
const FIRST_SEED = Number(process.env.WAL_SIM_FIRST_SEED ?? 1);
/** A long run takes ~8 ms a seed here: its limit grows with it. */
const TIMEOUT_MS = 300_000 + SEEDS * 30;

interface Oracle {
  /** Payload of every record appended with each LSN (the latest incarnation's). */
  appended: Map<number, Uint8Array>;
  /** Highest LSN whose commit resolved before a crash. */
  acknowledged: number;
  /**
   * The acknowledged LSN before that one: a later flush carried the mark proving it
   * durable, so recovery can tell damage to it from a torn write.
   */
  witnessed: number;
  /** LSNs below this were dropped on purpose (checkpoint + dropBefore). */
  droppedBefore: number;
}

function randomPayload(random: Random): Uint8Array {
  const length = random.chance(0.1) ? random.below(6000) : random.below(300);
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = random.below(256);
  return bytes;
}

function checkRecovered(log: WriteAheadLog, oracle: Oracle, misdirect: boolean): void {
  const records = [...log.records()];
  const lsns = records.map((r) => r.lsn);
  // Dense from the first LSN to the last.
  lsns.forEach((lsn, i) => {
    expect(lsn).toBe(log.firstLsn + i);
  });
  expect(log.lastLsn).toBe(lsns.at(-1) ?? log.firstLsn - 1);
  // Every acknowledged record survived. A misdirected write can destroy the newest
  // commit group before a mark proves it was acknowledged: then it reads as a torn
  // tail. Anything older is either intact or the log refuses to open.
  expect(log.lastLsn).toBeGreaterThanOrEqual(misdirect ? oracle.witnessed : oracle.acknowledged);
  expect(log.firstLsn).toBeLessThanOrEqual(Math.max(oracle.droppedBefore, 1));
  for (const record of records) {
    if (record.type !== 'data') continue;
    const expected = oracle.appended.get(record.lsn);
    // Nothing that was never written: each record is exactly what was appended.
    expect(expected, `record ${record.lsn} was never appended`).toBeDefined();
    expect(Buffer.from(record.payload).equals(Buffer.from(expected!))).toBe(true);
  }
}

function isHealthy(log: WriteAheadLog): boolean {
  return log.failure === undefined;
}

async function runSeed(seed: number, misdirect: boolean): Promise<void> {
  const random = seededRandom(seed);
  let volume = new SimulatedVolume();
  const oracle: Oracle = { appended: new Map(), acknowledged: 0, witnessed: 0, droppedBefore: 0 };
  const early: string[] = [];
  const cycles = 1 + random.below(4);
  // Misdirected writes are survivable only with the header copies of the marks; without
  // misdirection half the histories run with them, to show they never cost a record.
  const guardMisdirectedWrites = misdirect || random.chance(0.5);
  for (let cycle = 0; cycle < cycles; cycle++) {
    // A real misdirected write is one the device reports done: flushes misplace pages too.
    if (misdirect) volume.misdirectWrites(random, 0.02);
    let log: WriteAheadLog;
    try {
      log = WriteAheadLog.open('sim', {
        volume,
        segmentSize: 64 * 1024,
        markFlushDelayMs: 0,
        guardMisdirectedWrites,
      });
    } catch (error) {
      // A misdirected write may destroy acknowledged records; then refusing to open
      // is the right answer. Without misdirection it never is.
      if (misdirect && (error as { code?: string }).code === 'ECORRUPT') return;
      throw error;
    }
    checkRecovered(log, oracle, misdirect);
    for (const lsn of [...oracle.appended.keys()]) if (lsn > log.lastLsn) oracle.appended.delete(lsn);
    // What recovery kept is durable now, and must survive every later crash. It is
    // proven at once with the header's mark slots (open writes one), otherwise by the
    // records the next flush carries.
    oracle.acknowledged = log.lastLsn;
    oracle.witnessed = guardMisdirectedWrites ? log.lastLsn : Math.min(oracle.witnessed, log.lastLsn);

    let crashed = false;
    const acknowledge = (lsn: number): void => {
      if (crashed || lsn <= oracle.acknowledged) return;
      oracle.witnessed = oracle.acknowledged;
      oracle.acknowledged = lsn;
    };
    // A commit must resolve with at least the LSN it asked for: commits share Promises
    // in batches, and one resolved early would otherwise be acknowledged at a lower LSN
    // and never checked (found by mutation in review).
    const committed = (asked: number) => (durable: number): void => {
      if (!crashed && durable < asked) early.push(`commit(${asked}) resolved with ${durable}`);
      acknowledge(durable);
    };
    const operations = 5 + random.below(60);
    for (let op = 0; op < operations; op++) {
      // A failed log acknowledges nothing more; all that is left is to crash and recover.
      if (log.failure !== undefined) break;
      const choice = random.next();
      if (choice < 0.5) {
        const payload = randomPayload(random);
        const lsn = log.append(payload);
        oracle.appended.set(lsn, payload);
      } else if (choice < 0.7) {
        await log.commit().then(committed(log.lastLsn), () => undefined);
      } else if (choice < 0.85) {
        // A burst of concurrent committers sharing flushes; a big one (hundreds) makes
        // the log split the group and flush part of it while the rest still appends.
        const big = random.chance(0.1);
        const burst = Array.from({ length: big ? 300 + random.below(900) : 1 + random.below(20) }, () => {
          const payload = big ? randomPayload(random).subarray(0, 64) : randomPayload(random);
          const lsn = log.append(payload);
          oracle.appended.set(lsn, payload);
          // Sometimes an older LSN than the last: it joins the batch all the same.
          const asked = random.chance(0.2) ? Math.max(1, lsn - random.below(5)) : lsn;
          return log.commit(asked).then(committed(asked), () => undefined);
        });
        if (random.chance(0.5)) await Promise.all(burst);
      } else if (choice < 0.9 && log.lastLsn > 0) {
        const upTo = log.durableLsn;
        if (upTo > 0) {
          await log.checkpoint(upTo).then(acknowledge, () => undefined);
          // Read through a call: TypeScript cannot know the await above may have failed the log.
          if (isHealthy(log)) {
            log.dropBefore(upTo);
            oracle.droppedBefore = Math.max(oracle.droppedBefore, log.firstLsn);
          }
        }
      } else if (choice < 0.93) {
        volume.failFlushes(1 + random.below(3));
      } else {
        break;
      }
    }
    crashed = true;
    expect(early).toEqual([]);
    volume = volume.crash(random, { tear: 0.3, misdirect: misdirect ? 0.05 : 0 });
  }
}

async function explore(misdirect: boolean, seeds: number): Promise<void> {
  for (let seed = FIRST_SEED; seed < FIRST_SEED + seeds; seed++) {
    try {
      await runSeed(seed, misdirect);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(
        `simulation seed ${seed} failed (misdirect=${misdirect}); replay with ` +
          `WAL_SIM_FIRST_SEED=${seed} WAL_SIM_SEEDS=1: ${message}`,
        { cause: error },
      );
    }
  }
}

describe('power loss simulation', () => {
  it(`keeps every acknowledged record across ${SEEDS} seeded crash histories`, async () => {
    await explore(false, SEEDS);
  }, TIMEOUT_MS);

  it('with misdirected writes and guardMisdirectedWrites: recovers intact or refuses to open, never silently loses', async () => {
    // As many as without: with the header's copies of the marks written but not read,
    // seed 598 of this sequence already loses an acknowledged record silently.
    await explore(true, SEEDS);
  }, TIMEOUT_MS);
});
