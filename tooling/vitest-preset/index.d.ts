import type { ViteUserConfig } from 'vitest/config';

/** The shared test settings, named after the package they run for. */
export function packageTests(name: string, overrides?: ViteUserConfig['test']): ViteUserConfig;
