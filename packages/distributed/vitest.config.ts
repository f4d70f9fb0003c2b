import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: '@x/distributed',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // One file at a time: every file starts worker processes of its own on a 2-core machine.
    fileParallelism: false,
    // Load the workspace packages' built files as they are: functions sent to workers as source
    // text must not be rewritten by Vite's SSR transform.
    server: { deps: { external: [/\/packages\/(future|pool-kit|distributed)\/dist\//] } },
  },
})
