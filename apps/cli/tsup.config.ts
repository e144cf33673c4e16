import { defineConfig } from 'tsup';
import { packageBuild } from '@mapsync/tsup-config';

// A command, not a library: one ESM bin, plus the small programs the demo runs as
// other processes (dist/children/*.mjs, found next to the bin at run time).
export default defineConfig(
  packageBuild({
    entry: {
      bin: 'src/bin.ts',
      'children/bank-writer': 'src/demo/children/bank-writer.ts',
      'children/record-consumer': 'src/demo/children/record-consumer.ts',
    },
    overrides: { format: ['esm'], dts: false },
  }),
);
