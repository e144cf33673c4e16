#!/usr/bin/env node
// The `mapsync` executable. Sets the exit code rather than calling process.exit, so
// output still being written reaches the terminal or the pipe.
import { main } from './program.js';

process.exitCode = await main(process.argv);
