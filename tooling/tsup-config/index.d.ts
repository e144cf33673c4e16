import type { Options } from 'tsup';

export interface PackageBuildOptions {
  /** Entry points, relative to the package root. Defaults to `['src/index.ts']`. */
  entry?: string[] | Record<string, string>;
  /** Modules left as run-time imports (workspace siblings are external already). */
  external?: (string | RegExp)[];
  /** Extra tsup options merged over the defaults. */
  overrides?: Options;
}

/** ESM (.mjs + .d.mts) and CJS (.cjs + .d.cts) with source maps and a clean dist/. */
export function packageBuild(options?: PackageBuildOptions): Options;
