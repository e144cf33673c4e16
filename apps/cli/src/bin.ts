#!/usr/bin/env node
// The `mapsync` executable. Sets the exit code rather than calling process.exit, so
// output still being written reaches the terminal or the pipe.
import { exitAfterCleanUp } from './on-signal.js';
import { main } from './program.js';

// A reader that went away (`mapsync wal dump | head`): end quietly with exit code 0,
// instead of with a stack trace, after the running command's clean-up (the demo's
// processes and directory). Deferred a turn, so that a command listening for the same
// event (queue tail gives its tailer slot back) is heard first.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  setImmediate(() => void exitAfterCleanUp(0));
});

process.exitCode = await main(process.argv);
