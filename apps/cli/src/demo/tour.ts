// `mapsync demo`: the guided tour. Every step works in one temporary directory, which
// is removed at the end — also when a step fails or the user presses Ctrl-C.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { cleanUpOnSignal } from '../on-signal.js';
import { colors, printLine } from '../output.js';
import { crashStep } from './crash-step.js';
import { journalStep } from './journal-step.js';
import { partialSyncStep } from './partial-sync-step.js';
import { stopChildren } from './processes.js';
import { producerConsumerStep } from './producer-consumer-step.js';
import type { DemoStep } from './step.js';

const STEPS: readonly DemoStep[] = [journalStep, partialSyncStep, crashStep, producerConsumerStep];

export async function runTour(parent: string = tmpdir()): Promise<void> {
  const started = performance.now();
  const dir = mkdtempSync(join(parent, 'mapsync-demo-'));
  const removeDir = (): void => {
    rmSync(dir, { recursive: true, force: true });
  };
  // The demo's own processes go first: one still running would make the directory again.
  const stopCleaningUp = cleanUpOnSignal(async () => {
    await stopChildren();
    removeDir();
  });
  try {
    printLine(colors.bold('mapsync demo: durable memory-mapped files, step by step'));
    printLine(colors.dim(`working in ${dir} (removed at the end)`));
    for (const [index, step] of STEPS.entries()) {
      printLine();
      printLine(colors.bold(`${index + 1}. ${step.title}`));
      const proved = await step.run({
        dir,
        say: (line) => {
          printLine(`   ${line}`);
        },
      });
      printLine(`   ${colors.green('✔ proved:')} ${proved}`);
    }
    printLine();
    printLine(
      `done in ${((performance.now() - started) / 1000).toFixed(1)} s; nothing left behind`,
    );
  } finally {
    stopCleaningUp();
    removeDir();
  }
}
