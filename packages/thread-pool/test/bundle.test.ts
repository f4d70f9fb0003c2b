// The package build bundles the worker entry (scripts/bundle.mjs): a fresh thread loads one file of
// this package's and @x/pool-kit's code, and shares @x/future with the task modules it imports.
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'

it('the worker entry is one bundled file: it imports only node builtins and @x/future', () => {
  const source = readFileSync(new URL('../dist/bundle/worker.js', import.meta.url), 'utf8')
  const imports = [...source.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s*["']([^"']+)["']/gmu)].map((m) => m[1] ?? '')
  expect(imports.length).toBeGreaterThan(0)
  for (const specifier of imports) expect(specifier).toMatch(/^(?:node:|@x\/future$)/u)
  // the pool starts threads on the bundle
  expect(readFileSync(new URL('../dist/tinypool-threads.js', import.meta.url), 'utf8')).toContain("'./bundle/worker.js'")
})
