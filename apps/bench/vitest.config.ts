import { packageTests } from '@mapsync/vitest-preset';

// Only the report is tested (from a fixture, fast and deterministic): the benchmarks
// themselves never run as part of `npm test`.
export default packageTests('bench');
