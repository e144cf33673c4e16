// The install step: a prebuilt binary that loads means no compiler is run; without
// one, node-gyp rebuild is invoked (here a stand-in records the call).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { scratchDir } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = scratchDir();

function packageCopy(name: string, withPrebuild: boolean): string {
  const copy = join(dir, name);
  mkdirSync(join(copy, 'scripts'), { recursive: true });
  copyFileSync(join(root, 'scripts', 'install.cjs'), join(copy, 'scripts', 'install.cjs'));
  if (withPrebuild) {
    const target = join(copy, 'prebuilds', `${process.platform}-${process.arch}`);
    mkdirSync(target, { recursive: true });
    copyFileSync(join(root, 'build', 'Release', 'mapsync_native.node'), join(target, '@mapsync+native.node'));
  }
  return copy;
}

function install(copy: string) {
  // A fake node-gyp that leaves a marker, so the test sees whether a build was started.
  const fakeGyp = join(dir, 'fake-node-gyp.cjs');
  writeFileSync(fakeGyp, "require('fs').writeFileSync(require('path').join(process.cwd(), 'compiled'), process.argv.slice(2).join(' '));");
  return spawnSync(process.execPath, ['scripts/install.cjs'], {
    cwd: copy,
    env: { ...process.env, npm_config_node_gyp: fakeGyp, MAPSYNC_BUILD_FROM_SOURCE: '' },
    encoding: 'utf8',
  });
}

describe('install', () => {
  it('uses a prebuild that loads and compiles nothing', () => {
    const copy = packageCopy('with-prebuild', true);
    const result = install(copy);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('using prebuilt');
    expect(existsSync(join(copy, 'compiled'))).toBe(false);
  });

  it('runs node-gyp rebuild when there is no prebuild', () => {
    const copy = packageCopy('without-prebuild', false);
    const result = install(copy);
    expect(result.status).toBe(0);
    expect(existsSync(join(copy, 'compiled'))).toBe(true);
  });
});
