// The runner as people use it: `npm run example -- <name>` is `node --import tsx src/main.ts <name>`.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const appRoot = fileURLToPath(new URL('..', import.meta.url));
const runExample = (name: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', name], {
    cwd: appRoot,
    encoding: 'utf8',
  });

it('runs one example by name, prints its account and its claim, exits 0', () => {
  const run = runExample('page-alignment');
  expect(run.stdout).toContain('== page-alignment:');
  expect(run.stdout).toContain('-> shown: an unaligned msync is refused');
  expect(run.status).toBe(0);
});

it('names the examples and exits 2 for an unknown name', () => {
  const run = runExample('no-such-example');
  expect(run.stderr).toContain('names: journal, async-log');
  expect(run.status).toBe(2);
});
