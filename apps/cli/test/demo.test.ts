import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';

import { mapsync, mapsyncPiped, scratchDirs, startMapsync } from './helpers.js';

const nextDir = scratchDirs();

it('tours the stack, says what each step proved, and leaves nothing behind', () => {
  const tmp = nextDir();
  const run = mapsync(['demo'], { env: { TMPDIR: tmp } });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const proofs = run.stdout.split('\n').filter((line) => line.includes('✔ proved:'));
  expect(proofs).toHaveLength(4);
  expect(proofs[0]).toContain('read(2) returns it');
  expect(proofs[1]).toContain('4 KiB of 1 MiB, in one msync call');
  expect(proofs[2]).toMatch(/all \d+ acknowledged transactions survived, each whole/);
  expect(proofs[3]).toContain(
    'read all 5 records, in order, each as it was synced, woken by the append (no polling)',
  );
  expect(run.stdout).toMatch(
    /record 5 appended at position \d+, on disk \(msync\) when append\(\) returned; the consumer had it [\d.]+ (ms|µs) later/,
  );
  expect(run.stdout).toMatch(/SIGKILL after \d+ acknowledged transactions/);
  expect(run.stdout).toMatch(/done in [\d.]+ s; nothing left behind/);
  expect(readdirSync(tmp)).toEqual([]);
});

it('--dir chooses where, and must exist', () => {
  const run = mapsync(['demo', '--dir', '/nonexistent/mapsync']);
  expect(run.stderr).toBe('mapsync: ENOENT: no such directory: /nonexistent/mapsync\n');
  expect(run.status).toBe(1);
});

it('stopped by SIGTERM while its consumer process runs: nothing left behind', async () => {
  const parent = nextDir();
  const run = startMapsync(['demo', '--dir', parent]);
  for (;;) {
    const line = await run.lines.next();
    if (line.done === true) throw new Error('the demo ended before its consumer started');
    if (line.value.includes('consumer process')) break;
  }
  run.kill('SIGTERM');
  expect((await run.exited).code).toBe(143);
  // The consumer was stopped before the directory went: it cannot make it again.
  await sleep(500);
  expect(readdirSync(parent)).toEqual([]);
});

it('into `| head`: ends quietly and still removes its directory and processes', async () => {
  const parent = nextDir();
  const run = mapsyncPiped(['demo', '--dir', parent], 'head -3');
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  // A consumer process left running would make the directory again.
  await sleep(500);
  expect(readdirSync(parent)).toEqual([]);
});
