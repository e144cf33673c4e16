// @mapsync/ipc: a file-backed queue between processes that survives restarts.
export { Queue, DEFAULT_SEGMENT_SIZE } from './queue.js';
export type { QueueOptions, QueueStats, RetentionOptions, TailerInfo } from './queue.js';
export type { Appender, Durability } from './appender.js';
export type { Tailer, TailerOptions, RecordHandler } from './tailer.js';
export type { RebootRecovery } from './recovery.js';
