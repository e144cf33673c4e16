// `mapsync queue ...`: send to, tail and look into a queue of @mapsync/ipc.
import { Command } from '@commander-js/extra-typings';

import { sendCommand } from './send.js';
import { statsCommand } from './stats.js';
import { tailCommand } from './tail.js';

export function queueCommand() {
  return new Command('queue')
    .description('send messages to a queue directory, tail it, or summarize it')
    .addCommand(sendCommand())
    .addCommand(tailCommand())
    .addCommand(statsCommand());
}
