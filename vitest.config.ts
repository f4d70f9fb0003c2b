// Root Vitest config: every package and app with a vitest.config.ts is a project, plus the
// workspace tooling tests in scripts/. `pnpm test` runs each package on its own (through
// turbo, after its build); this file is for `pnpm vitest` at the root (watch mode across the
// repo) and for the `workspace` project. Pool packages test their built dist: build first.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      'packages/*/vitest.config.ts',
      'apps/*/vitest.config.ts',
      {
        test: {
          name: 'workspace',
          include: ['scripts/**/*.test.mjs'],
          exclude: ['scripts/consumer/**'],
          testTimeout: 60_000,
          hookTimeout: 20_000,
        },
      },
      {
        // The packed packages installed into a scratch project (pack, smoke, tsc, tsx, esbuild).
        // Needs the build: `pnpm test` runs it after turbo's build.
        test: {
          name: 'consumer',
          include: ['scripts/consumer/**/*.test.mjs'],
          testTimeout: 90_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
