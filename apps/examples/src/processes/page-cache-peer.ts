// Process B of the unified page cache example: it uses only read(2) and write(2).
// It reads what process A wrote into its mapping (bytes 0..64, never msynced), prints
// it as JSON, then writes <text> at byte 64 for A to find in its mapping.
import { closeSync, openSync, readSync, writeSync } from 'node:fs';

import { cString, textBeforeNul } from '../support/text.js';
import { programArguments } from './arguments.js';

const { path, text } = programArguments('path', 'text');
const fd = openSync(path, 'r+');
const firstBytes = new Uint8Array(64);
readSync(fd, firstBytes, 0, firstBytes.length, 0);
console.log(JSON.stringify(textBeforeNul(firstBytes)));
writeSync(fd, cString(text), 0, undefined, 64);
closeSync(fd);
