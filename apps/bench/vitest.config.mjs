import { defineProject } from 'vitest/config';

// Unit tests of the report code (stats, targets, tables, SVG). The benchmark itself is run by
// `pnpm bench --quick` in CI, not from here.
export default defineProject({
  test: {
    name: '@x/bench',
    include: ['test/**/*.test.mjs'],
    testTimeout: 20_000,
  },
});
