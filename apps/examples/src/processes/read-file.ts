// A process that reads the file with read(2) and never maps it: how the guide's
// "other processes doing read()" see the file. Prints the text at <offset> (at most
// <length> bytes, up to the first NUL) as a JSON string.
import { closeSync, openSync, readSync } from 'node:fs';

import { textBeforeNul } from '../support/text.js';
import { programArguments } from './arguments.js';

const { path, offset, length } = programArguments('path', 'offset', 'length');
const fd = openSync(path, 'r');
const buffer = new Uint8Array(Number(length));
const read = readSync(fd, buffer, 0, buffer.length, Number(offset));
closeSync(fd);
console.log(JSON.stringify(textBeforeNul(buffer.subarray(0, read))));
