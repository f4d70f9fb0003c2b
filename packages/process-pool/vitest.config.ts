import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@x/process-pool',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The conformance suite's task functions travel to the children as source text: load
    // @x/future's built files as they are, so Vite's transform does not rewrite them.
    server: { deps: { external: [/\/packages\/(future|pool-kit)\/dist\//] } },
  },
});
