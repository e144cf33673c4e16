import { packageTests } from '@mapsync/vitest-preset';

// The tests run the built command, as users do: build it once first.
export default packageTests('cli', { globalSetup: ['test/build-cli.ts'] });
