// One flat config for the whole repository. Type-aware (typescript-eslint strictTypeChecked
// + stylisticTypeChecked through the project service); layers come from scripts/layers.mjs.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { deepImport, forbiddenImportSource, layers } from './scripts/layers.mjs';

const deepImportPattern = {
  regex: deepImport.source,
  message:
    'Import the package entry (for example "@x/future" or "@x/future/testing"), never its src/ or dist/ files.',
};

/**
 * One block per package folder: it may import itself and the packages below it, nothing else.
 * @type {import('eslint').Linter.Config[]}
 */
const layerBlocks = Object.entries(layers).map(([folder, layer]) => ({
  name: `x/layers/${folder}`,
  files: [`${folder}/**`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          deepImportPattern,
          {
            regex: forbiddenImportSource(folder),
            message:
              layer.mayUse.length === 0
                ? `${layer.name} is the bottom layer: it imports no other @x package.`
                : `${layer.name} may import only ${layer.mayUse.join(', ')} (see the layer table in scripts/layers.mjs).`,
          },
        ],
      },
    ],
  },
}));

export default defineConfig(
  globalIgnores(['**/dist/', '**/coverage/', '**/test-results/', '**/.turbo/']),
  // An app of its own, checked where it runs: scripts/consumer/ installs the packed packages
  // next to it and type-checks it with tsc (nodenext and bundler).
  globalIgnores(['scripts/consumer/fixtures/']),
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    name: 'x/base',
    linterOptions: {
      reportUnusedDisableDirectives: 'error',
      reportUnusedInlineConfigs: 'error',
    },
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports' },
      ],
      '@typescript-eslint/consistent-type-exports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      // `(...args: any[]) => unknown` is the only way to accept "any function" as a constraint.
      '@typescript-eslint/no-explicit-any': ['error', { ignoreRestArgs: true }],
      'no-restricted-imports': ['error', { patterns: [deepImportPattern] }],
    },
  },
  {
    name: 'x/javascript-globals',
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: globals.node },
  },
  {
    // Plain JavaScript outside scripts/ (worker fixtures, example files) belongs to no
    // tsconfig: lint it without type information.
    name: 'x/plain-js',
    files: ['**/*.{js,mjs,cjs}'],
    ignores: ['scripts/**', 'eslint.config.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    name: 'x/no-console-in-libraries',
    files: ['packages/**'],
    ignores: ['packages/*/examples/**'],
    rules: { 'no-console': 'error' },
  },
  layerBlocks,
);
