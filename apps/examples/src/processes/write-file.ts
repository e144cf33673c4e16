// The guide's "Process B uses write() to update the same file": writes <text> and a
// NUL at <offset> with pwrite(2) (the guide's lseek + write), never mapping the file.
import { closeSync, openSync, writeSync } from 'node:fs';

import { cString } from '../support/text.js';
import { programArguments } from './arguments.js';

const { path, offset, text } = programArguments('path', 'offset', 'text');
const fd = openSync(path, 'r+');
writeSync(fd, cString(text), 0, undefined, Number(offset));
closeSync(fd);
