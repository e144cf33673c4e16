import { defineConfig } from 'vitest/config';
import SummaryReporter from '@mapsync/vitest-preset/summary-reporter';

// One test run over every workspace package; each package's own vitest.config.ts
// only names itself and inherits the shared preset.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*'],
    reporters: ['default', new SummaryReporter()],
  },
});
