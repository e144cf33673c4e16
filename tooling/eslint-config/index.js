import tseslint from 'typescript-eslint';

// Type-checked rules over each package's sources; the package's own tsconfig drives them.
export function packageLint(tsconfigRootDir) {
  return tseslint.config(
    { ignores: ['dist/**', 'build/**', 'prebuilds/**', 'node_modules/**', '*.config.*'] },
    ...tseslint.configs.strictTypeChecked,
    {
      languageOptions: {
        parserOptions: { projectService: true, tsconfigRootDir },
      },
      rules: {
        '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBigInt: true }],
        '@typescript-eslint/no-unnecessary-condition': ['error', { allowConstantLoopConditions: true }],
      },
    },
    {
      files: ['**/*.test.ts', '**/*.test-d.ts', 'test/**', 'bench/**', 'scripts/**'],
      rules: {
        '@typescript-eslint/no-non-null-assertion': 'off',
        '@typescript-eslint/no-floating-promises': 'off',
      },
    },
  );
}
