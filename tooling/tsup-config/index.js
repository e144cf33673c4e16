// One build recipe for every publishable package: both module systems, a declaration
// file per condition (so `import` and `require` each resolve their own types), Node 20.
export function packageBuild({ entry = ['src/index.ts'], external = [], overrides = {} } = {}) {
  return {
    entry,
    format: ['esm', 'cjs'],
    target: 'node20',
    platform: 'node',
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: false,
    shims: true,
    treeshake: true,
    external,
    // In a "type": "module" package tsup names the ESM declarations index.d.ts and the
    // CJS ones index.d.cts; exports point each condition at its own file.
    outExtension: ({ format }) => ({ js: format === 'esm' ? '.mjs' : '.cjs' }),
    ...overrides,
  };
}
