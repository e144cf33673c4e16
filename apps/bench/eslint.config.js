import { packageLint } from '@mapsync/eslint-config';

export default packageLint(import.meta.dirname);
