// Finds the compiled addon in a fixed, documented order and caches it:
//   1. MAPSYNC_NATIVE_PATH (an explicit path to a .node file),
//   2. prebuilds/<platform>-<arch>/@mapsync+native.node (made by `npm run prebuild`),
//   3. build/Release/mapsync_native.node (made by node-gyp at install).
// Nothing is searched for: if none loads, one error lists every attempt and the fix.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { NativeBinding } from './binding.js';
import { MapsyncError } from './errors.js';

// Both src/ (tests) and dist/ (published) sit directly under the package root.
const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const requireAddon = createRequire(import.meta.url);

export interface LoadAttempt {
  readonly source: 'env' | 'prebuild' | 'build';
  readonly path: string;
  readonly error?: string;
}

export function candidatePaths(env: NodeJS.ProcessEnv = process.env): LoadAttempt[] {
  const candidates: LoadAttempt[] = [];
  const override = env.MAPSYNC_NATIVE_PATH;
  if (override !== undefined && override !== '') {
    candidates.push({ source: 'env', path: override });
  }
  candidates.push(
    {
      source: 'prebuild',
      path: join(packageRoot, 'prebuilds', `${process.platform}-${process.arch}`, '@mapsync+native.node'),
    },
    { source: 'build', path: join(packageRoot, 'build', 'Release', 'mapsync_native.node') },
  );
  return candidates;
}

let cached: { binding: NativeBinding; from: LoadAttempt } | undefined;

/** Loads the addon from the first place that works, and remembers where. */
export function loadBinding(env: NodeJS.ProcessEnv = process.env): {
  binding: NativeBinding;
  from: LoadAttempt;
} {
  if (cached !== undefined) return cached;
  const failures: LoadAttempt[] = [];
  for (const candidate of candidatePaths(env)) {
    try {
      const binding = requireAddon(candidate.path) as NativeBinding;
      cached = { binding, from: candidate };
      return cached;
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error);
      failures.push({ ...candidate, error: message });
      // An explicit override that fails is a configuration error: do not fall through
      // to another binary the user did not ask for.
      if (candidate.source === 'env') break;
    }
  }
  const tried = failures.map((f) => `  - ${f.source}: ${f.path}\n      ${f.error ?? ''}`).join('\n');
  throw new MapsyncError(
    'ERR_NATIVE_NOT_FOUND',
    `@mapsync/native could not load its compiled addon for ${process.platform}-${process.arch} ` +
      `(Node ${process.versions.node}). Tried, in order:\n${tried}\n` +
      'To fix: run `npm rebuild @mapsync/native` (needs python3, make and a C++ compiler), ' +
      'or set MAPSYNC_NATIVE_PATH to a built mapsync_native.node.',
  );
}
