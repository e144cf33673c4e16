// Every scenario of the guide, in the guide's order, under the name
// `npm run example -- <name>` takes.
import { asyncLog } from './async-log.js';
import { invalidate } from './invalidate.js';
import { journalCommit } from './journal-commit.js';
import { pageAlignment } from './page-alignment.js';
import { partialSync } from './partial-sync.js';
import { producerConsumer } from './producer-consumer.js';
import { redoLog } from './redo-log.js';
import type { Example } from './support/example.js';
import { syncInvalidate } from './sync-invalidate.js';
import { syncMethods } from './sync-methods.js';
import { unifiedPageCache } from './unified-page-cache.js';

export const examples: readonly Example[] = [
  { name: 'journal', title: 'MS_SYNC: a journal commit', run: journalCommit },
  { name: 'async-log', title: 'MS_ASYNC, then fsync(): a log entry', run: asyncLog },
  { name: 'invalidate', title: "MS_INVALIDATE after another process's write()", run: invalidate },
  { name: 'sync-invalidate', title: 'MS_SYNC | MS_INVALIDATE in one call', run: syncInvalidate },
  {
    name: 'unified-cache',
    title: 'One page cache, two processes, two access paths',
    run: unifiedPageCache,
  },
  {
    name: 'sync-methods',
    title: 'The three sync methods, timed on this disk',
    run: (context) => syncMethods(context),
  },
  {
    name: 'producer-consumer',
    title: 'A producer syncing each record, a consumer in another process',
    run: (context) => producerConsumer(context),
  },
  {
    name: 'partial-sync',
    title: 'Sync one dirty page of a 1 MiB mapping, not all of it (timed)',
    run: (context) => partialSync(context),
  },
  {
    name: 'page-alignment',
    title: 'Page alignment: what an unaligned range does, and how the API aligns it',
    run: pageAlignment,
  },
  {
    name: 'redo-log',
    title: 'The redo-log recipe: a crash in the middle, and the recovery',
    run: (context) => redoLog(context),
  },
];
