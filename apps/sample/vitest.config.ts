import { defineProject } from 'vitest/config';

// End-to-end tests: they spawn the built app (dist/cli.js), so build first (`pnpm build`;
// turbo does it for `pnpm test`). Each spawn has its own deadline inside the test as well.
export default defineProject({
  test: {
    name: '@x/sample',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
