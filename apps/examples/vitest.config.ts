import { packageTests } from '@mapsync/vitest-preset';

export default packageTests('examples');
