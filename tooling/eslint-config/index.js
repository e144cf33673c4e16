import tseslint from 'typescript-eslint';

// Type-checked rules over each package's TypeScript; the package's own tsconfig
// drives them. Plain JS (install scripts, fixtures, benchmarks) gets the untyped rules.
export function packageLint(tsconfigRootDir) {
  return tseslint.config(
    { ignores: ['dist/**', 'build/**', 'prebuilds/**', 'node_modules/**', '*.config.*', '.test-*/**'] },
    ...tseslint.configs.strictTypeChecked,
    {
      languageOptions: {
        parserOptions: { projectService: true, tsconfigRootDir },
      },
      rules: {
        '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
        '@typescript-eslint/no-unnecessary-condition': ['error', { allowConstantLoopConditions: true }],
      },
    },
    {
      files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
      ...tseslint.configs.disableTypeChecked,
      languageOptions: {
        ...tseslint.configs.disableTypeChecked.languageOptions,
        globals: { console: 'readonly', process: 'readonly', require: 'readonly', __dirname: 'readonly' },
      },
      rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
    },
    {
      files: ['**/*.test.ts', '**/*.test-d.ts', 'test/**', 'bench/**', 'scripts/**'],
      rules: {
        '@typescript-eslint/no-non-null-assertion': 'off',
        '@typescript-eslint/no-floating-promises': 'off',
        '@typescript-eslint/no-confusing-void-expression': 'off',
      },
    },
  );
}
