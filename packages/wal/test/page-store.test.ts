// The page store: transactions are durable when they resolve, data reaches the data
// file after the log, and recovery re-applies what the data file lacks — checked on
// real files and across seeded simulated power losses of both files.
import { describe, expect, it } from 'vitest';

import { PageStore, SimulatedVolume, seededRandom, type Random } from '../src/index.js';
import { scratchDir } from './helpers.js';

const nextDir = scratchDir();
const SEEDS = Number(process.env.WAL_SIM_SEEDS ?? 1500);
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('page store on real files', () => {
  it('applies a committed transaction and keeps it across reopen, with and without checkpoint', async () => {
    const dir = nextDir();
    const store = PageStore.open(dir, { size: 64 * 1024 });
    const lsn = await store.transaction((tx) => {
      tx.write(0, encode('TRANSACTION: debit account=1234 amount=500'));
      tx.write(40_000, encode('page ten'));
    });
    expect(lsn).toBe(1);
    expect(new TextDecoder().decode(store.read(40_000, 8))).toBe('page ten');
    await store.checkpoint();
    await store.transaction((tx) => {
      tx.write(4096, encode('after the checkpoint'));
    });
    await store.close();

    const again = PageStore.open(dir);
    expect(again.recovery.checkpointLsn).toBe(1);
    expect(new TextDecoder().decode(again.read(0, 42))).toBe('TRANSACTION: debit account=1234 amount=500');
    expect(new TextDecoder().decode(again.read(4096, 20))).toBe('after the checkpoint');
    await again.close();
  });

  it('writes nothing when the transaction function throws', async () => {
    const store = PageStore.open(nextDir(), { size: 8192 });
    await expect(
      store.transaction((tx) => {
        tx.write(0, encode('never'));
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(store.read(0, 5)).toEqual(new Uint8Array(5));
    expect(store.log.lastLsn).toBe(0);
    await store.close();
  });

  it('refuses writes outside the data file with a code', async () => {
    const store = PageStore.open(nextDir(), { size: 8192 });
    await expect(store.transaction((tx) => tx.write(8190, encode('xyz')))).rejects.toMatchObject({
      code: 'ERR_OUT_OF_RANGE',
    });
    await store.close();
  });
});

interface Tx {
  lsn: number;
  writes: { offset: number; bytes: Uint8Array }[];
}

const DATA_SIZE = 6 * 4096;

function expectedState(history: Tx[], upTo: number): Uint8Array {
  const state = new Uint8Array(DATA_SIZE);
  for (const tx of history) if (tx.lsn <= upTo) for (const w of tx.writes) state.set(w.bytes, w.offset);
  return state;
}

function randomWrites(random: Random): Tx['writes'] {
  return Array.from({ length: 1 + random.below(4) }, () => {
    const length = 1 + random.below(3000);
    const offset = random.below(DATA_SIZE - length);
    const bytes = new Uint8Array(length).map(() => random.below(256));
    return { offset, bytes };
  });
}

async function runSeed(seed: number): Promise<void> {
  const random = seededRandom(seed);
  let volume = new SimulatedVolume();
  let history: Tx[] = [];
  let acknowledged = 0;
  for (let cycle = 0; cycle < 1 + random.below(4); cycle++) {
    const store = PageStore.open('sim', {
      volume,
      size: DATA_SIZE,
      log: { segmentSize: 64 * 1024, markFlushDelayMs: 0 },
    });
    const recovered = store.log.lastLsn;
    expect(recovered).toBeGreaterThanOrEqual(acknowledged);
    history = history.filter((tx) => tx.lsn <= recovered);
    const actual = store.read(0, DATA_SIZE);
    const wanted = expectedState(history, recovered);
    expect(Buffer.from(actual).equals(Buffer.from(wanted))).toBe(true);

    let crashed = false;
    for (let op = 0, ops = 3 + random.below(25); op < ops && store.log.failure === undefined; op++) {
      const choice = random.next();
      if (choice < 0.75) {
        const writes = randomWrites(random);
        const before = store.log.lastLsn;
        const pending = store.transaction((tx) => {
          for (const w of writes) tx.write(w.offset, w.bytes);
        });
        // A synchronous transaction is in the log when transaction() returns (unless it failed).
        if (store.log.lastLsn > before) history.push({ lsn: store.log.lastLsn, writes });
        const done = pending.then(
          (lsn) => {
            if (!crashed) acknowledged = Math.max(acknowledged, lsn);
          },
          () => undefined,
        );
        if (random.chance(0.7)) await done;
      } else if (choice < 0.92) {
        await store.checkpoint().catch(() => undefined);
      } else if (choice < 0.95) {
        volume.failFlushes(1 + random.below(3));
      } else {
        break;
      }
    }
    crashed = true;
    volume = volume.crash(random, { tear: 0.3 });
  }
}

describe('page store under simulated power loss', () => {
  it(`recovers exactly the acknowledged state across ${SEEDS} seeds`, async () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      try {
        await runSeed(seed);
      } catch (error) {
        throw new Error(`page store seed ${seed} failed: ${error instanceof Error ? error.message : String(error)}`, {
          cause: error,
        });
      }
    }
  }, 300_000);
});
