// `npm run example -- <name>` runs one example, `npm run examples` runs them all. Each
// runs in a fresh directory under the system's temporary directory (set TMPDIR to
// study another disk), removed afterwards. Exits non-zero if a claim did not hold.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { examples } from './catalog.js';
import type { Example } from './support/example.js';

async function runExample(example: Example): Promise<boolean> {
  console.log(`\n== ${example.name}: ${example.title}`);
  const dir = mkdtempSync(join(tmpdir(), `mapsync-example-${example.name}-`));
  try {
    const result = await example.run({
      dir,
      say: (line) => {
        console.log(`   ${line}`);
      },
    });
    console.log(result.holds ? `   -> shown: ${result.claim}` : `   -> NOT SHOWN: ${result.claim}`);
    return result.holds;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const [name] = process.argv.slice(2);
const chosen = name === 'all' ? examples : examples.filter((example) => example.name === name);
if (chosen.length === 0) {
  console.error(
    `usage: npm run example -- <name>   (or npm run examples for all)\nnames: ${examples.map((e) => e.name).join(', ')}`,
  );
  process.exitCode = 2;
} else {
  let allHold = true;
  for (const example of chosen) allHold = (await runExample(example)) && allHold;
  if (!allHold) process.exitCode = 1;
}
