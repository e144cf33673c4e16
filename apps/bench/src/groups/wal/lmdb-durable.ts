// lmdb-js, opened so that "awaited" means durable. By default on Linux it resolves a
// put() once its transaction commits and syncs the disk afterwards (overlappingSync);
// with separateFlushed the put's promise also carries `flushed`, which resolves once
// that transaction is on the device: the point comparable with a durable commit.
import { open, type RootDatabase } from 'lmdb';

export type LmdbStore = RootDatabase<Uint8Array, number>;

export function openLmdb(dir: string): LmdbStore {
  return open<Uint8Array, number>({ path: dir, encoding: 'binary', separateFlushed: true });
}

/** Resolves once the put is flushed to the device, not merely committed. */
export function putDurably(db: LmdbStore, key: number, value: Uint8Array): Promise<boolean> {
  const committed = db.put(key, value) as Promise<boolean> & { flushed?: Promise<boolean> };
  if (committed.flushed === undefined) throw new Error('lmdb-js gave no flushed promise');
  return committed.flushed;
}
