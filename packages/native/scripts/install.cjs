// Install step: use a prebuilt binary when one loads on this machine, otherwise build
// from source with node-gyp (python3, make and a C++ compiler; Node's headers are
// taken from the local installation, nothing is downloaded when nodedir is set).
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const prebuild = path.join(
  root,
  'prebuilds',
  `${process.platform}-${process.arch}`,
  '@mapsync+native.node',
);

function prebuildLoads() {
  try {
    require(prebuild);
    return true;
  } catch {
    return false;
  }
}

if (!process.env.MAPSYNC_BUILD_FROM_SOURCE && prebuildLoads()) {
  console.log(`@mapsync/native: using prebuilt ${path.relative(root, prebuild)}`);
  process.exit(0);
}

// npm tells lifecycle scripts where its bundled node-gyp is; fall back to PATH.
const gyp = process.env.npm_config_node_gyp;
const [cmd, args] = gyp
  ? [process.execPath, [gyp, 'rebuild']]
  : ['node-gyp', ['rebuild']];
const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
if (result.error) {
  console.error(`@mapsync/native: could not run node-gyp: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
