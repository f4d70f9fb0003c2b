import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: '@x/thread-pool',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 20_000,
    // Load the workspace packages' built files as they are: the conformance suite's tasks are
    // sent to workers as source text, which must not be rewritten by Vite's SSR transform.
    server: { deps: { external: [/\/packages\/(future|diagnostics|pool-kit|thread-pool)\/dist\//] } },
  },
})
