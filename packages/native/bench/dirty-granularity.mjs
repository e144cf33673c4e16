// How many bytes one msync writes after a one-byte store into a shared mapping, by
// how the file's page cache was filled (bench/dirty-granularity.c does the work and
// reads the device's own write counter). Needs a block device under the scratch dir.
//
//   node bench/dirty-granularity.mjs [--dir DIR]
import { realpathSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { benchDir, compileC, describeMachine } from '@mapsync/bench-kit';

const here = fileURLToPath(new URL('.', import.meta.url));
const { values: opts } = parseArgs({ options: { dir: { type: 'string' } } });

/** The whole-disk name (e.g. vda) holding `dir`, from /sys/dev/block/MAJOR:MINOR. */
function blockDevice(dir) {
  const { dev } = statSync(dir);
  const node = `/sys/dev/block/${Math.floor(dev / 256) & 0xfff}:${(dev & 0xff) | ((dev >> 12) & 0xfff00)}`;
  if (!existsSync(node)) return undefined;
  const real = realpathSync(node);
  return path.basename(existsSync(path.join(real, 'partition')) ? path.dirname(real) : real);
}

const scratch = benchDir(here, opts.dir);
const compiled = compileC(path.join(here, 'dirty-granularity.c'), 'dirty-granularity');
try {
  const device = blockDevice(scratch.dir);
  if (device === undefined) {
    console.error(`${scratch.dir} is not on a block device (tmpfs?): nothing to count`);
    process.exitCode = 1;
  } else {
    for (const [k, v] of Object.entries(describeMachine(scratch.dir, compiled.version))) console.log(`${k}: ${v}`);
    console.log(`device: ${device}\n`);
    process.stdout.write(execFileSync(compiled.bin, [scratch.dir, device], { encoding: 'utf8' }));
  }
} finally {
  compiled.dispose();
  scratch.dispose();
}
