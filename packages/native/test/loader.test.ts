// The loader looks in a fixed order and, when nothing loads, fails with one error
// that lists every attempt and says what to do.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { candidatePaths } from '../src/index.js';
import { runFixture } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = join(root, 'build', 'Release', 'mapsync_native.node');

async function load(env: NodeJS.ProcessEnv) {
  const { done } = runFixture('load-native.mjs', [], { ...process.env, ...env });
  const { stdout } = await done;
  return JSON.parse(stdout) as { ok: boolean; source?: string; path?: string; code?: string; message?: string };
}

describe('loader', () => {
  it('tries the override, then prebuilds/<platform>-<arch>, then build/Release', () => {
    const order = candidatePaths({ MAPSYNC_NATIVE_PATH: '/x/addon.node' });
    expect(order.map((c) => c.source)).toEqual(['env', 'prebuild', 'build']);
    expect(order[1]?.path).toBe(join(root, 'prebuilds', `${process.platform}-${process.arch}`, '@mapsync+native.node'));
    expect(order[2]?.path).toBe(built);
    expect(candidatePaths({}).map((c) => c.source)).toEqual(['prebuild', 'build']);
  });

  it('loads the override when it points at a real addon', async () => {
    expect(await load({ MAPSYNC_NATIVE_PATH: built })).toMatchObject({ ok: true, source: 'env', path: built });
  });

  it('fails with one actionable error when the override does not load', async () => {
    const result = await load({ MAPSYNC_NATIVE_PATH: '/nonexistent/mapsync_native.node' });
    expect(result.ok).toBe(false);
    expect(result.code).toBe('ERR_NATIVE_NOT_FOUND');
    expect(result.message).toContain('/nonexistent/mapsync_native.node');
    expect(result.message).toContain('npm rebuild @mapsync/native');
  });
});
