// Each group's measurement, loaded only when that group runs: `npm run bench -- ipc`
// never loads better-sqlite3, lmdb-js or classic-level.
import type { BenchContext } from '../context.js';
import type { GroupData, GroupName } from '../run.js';

export const measures: { [G in GroupName]: (ctx: BenchContext) => Promise<GroupData[G]> } = {
  native: async (ctx) => (await import('./native/measure.js')).measureNative(ctx),
  region: async (ctx) => (await import('./region/measure.js')).measureRegion(ctx),
  wal: async (ctx) => (await import('./wal/measure.js')).measureWal(ctx),
  ipc: async (ctx) => (await import('./ipc/measure.js')).measureIpc(ctx),
};

export const groupSummaries: Record<GroupName, string> = {
  native: 'binding overhead against the same loops in C',
  region: 'layouts vs DataView; flushing the dirty set vs the whole mapping',
  wal: 'serial and group durable commits vs C, better-sqlite3, lmdb-js, classic-level, fs',
  ipc: 'latency and throughput vs a Unix socket, worker_threads, child_process',
};
