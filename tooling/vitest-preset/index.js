import { defineProject } from 'vitest/config';

// Tests here map real files, kill real processes and install signal handlers, so each
// test file runs in its own child process (forks), never in a shared worker thread.
export function packageTests(name, overrides = {}) {
  return defineProject({
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      pool: 'forks',
      testTimeout: 30_000,
      hookTimeout: 30_000,
      typecheck: { enabled: true, include: ['src/**/*.test-d.ts', 'test/**/*.test-d.ts'] },
      ...overrides,
    },
  });
}
