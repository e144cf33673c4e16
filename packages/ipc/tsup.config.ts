import { defineConfig } from 'tsup';
import { packageBuild } from '@mapsync/tsup-config';

export default defineConfig(packageBuild());
