// @mapsync/wal: a write-ahead log over memory-mapped segment files, and a page store
// that uses it to make writes to a mapped data file atomic and durable.
export { WriteAheadLog, LogCorruptError, DEFAULT_SEGMENT_SIZE, describeBreak } from './log.js';
export type { LogOptions, LogRecord, LogSummary, RecoveryReport } from './log.js';
export type { BreakProblem, LogBreak, Verdict } from './scan.js';
export { inspectLog, readLog } from './read.js';
export { FileVolume } from './file-volume.js';
export { SimulatedVolume, SIM_PAGE_SIZE } from './simulated-volume.js';
export type { CrashOptions } from './simulated-volume.js';
export type { LogVolume, SegmentFile } from './volume.js';
export { seededRandom } from './random.js';
export type { Random } from './random.js';
export { PageStore, DATA_FILE } from './page-store.js';
export type { PageStoreOptions, PageStoreRecovery, Transaction } from './page-store.js';
