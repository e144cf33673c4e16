import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

import type { ExampleContext } from '../src/support/example.js';

const appRoot = fileURLToPath(new URL('..', import.meta.url));

export type RecordingContext = ExampleContext & { readonly printed: string[] };

/**
 * Call at the top of a test file: gives fresh contexts on the real disk (directories
 * under the app, removed after the file's tests) that keep what the example prints.
 */
export function exampleContexts(): () => RecordingContext {
  const root = mkdtempSync(join(appRoot, '.test-'));
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });
  let n = 0;
  return () => {
    const dir = join(root, `case-${++n}`);
    mkdirSync(dir);
    const printed: string[] = [];
    return { dir, say: (line) => printed.push(line), printed };
  };
}
