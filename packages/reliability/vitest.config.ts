import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: '@x/reliability',
    // RELIABILITY_KNOWN=1 (`pnpm test:known`) runs the findings that fail on today's code instead.
    include: process.env.RELIABILITY_KNOWN === '1' ? ['test/**/*.known.ts'] : ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // Load the workspace packages' built files as they are (functions sent to workers as source
    // text must not be rewritten by Vite's SSR transform), and this package's harness from dist
    // too: `pnpm soak` runs the same files.
    server: { deps: { external: [/\/packages\/(future|diagnostics|pool-kit|thread-pool|process-pool|distributed|concurrent|reliability)\/dist\//] } },
  },
})
