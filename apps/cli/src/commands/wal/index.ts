// `mapsync wal ...`: look into a write-ahead log of @mapsync/wal (or a page store's).
import { Command } from '@commander-js/extra-typings';

import type { Outcome } from '../../exit-codes.js';
import { dumpCommand } from './dump.js';
import { recoverCommand } from './recover.js';
import { statsCommand } from './stats.js';
import { verifyCommand } from './verify.js';

export function walCommand(outcome: Outcome) {
  return new Command('wal')
    .description('dump, verify, recover or summarize a write-ahead log directory')
    .addCommand(dumpCommand(outcome))
    .addCommand(verifyCommand(outcome))
    .addCommand(recoverCommand(outcome))
    .addCommand(statsCommand(outcome));
}
