// The package build bundles the worker entry (scripts/bundle.mjs): a fresh thread loads one file of
// this package's and @x/pool-kit's code, and shares @x/future with the task modules it imports
// (only its `runtime` entry at start: the executors load when a task needs them).
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'

it('the worker entry is one bundled file: it imports only node builtins and @x/future/runtime', () => {
  const source = readFileSync(new URL('../dist/bundle/worker.js', import.meta.url), 'utf8')
  const imports = [...source.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s*["']([^"']+)["']/gmu)].map((m) => m[1] ?? '')
  expect(imports.length).toBeGreaterThan(0)
  for (const specifier of imports) expect(specifier).toMatch(/^(?:node:|@x\/future\/runtime$)/u)
  // the pool starts threads on the bundle
  expect(readFileSync(new URL('../dist/threads.js', import.meta.url), 'utf8')).toContain("'./bundle/worker.js'")
})

it('loading the worker entry in a fresh thread loads no node:v8, node:os, node:perf_hooks nor node:util (each thread start would pay for them)', async () => {
  const { Worker } = await import('node:worker_threads')
  const entry = new URL('../dist/bundle/worker.js', import.meta.url).href
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads')
    const before = process.moduleLoadList.slice()
    import(${JSON.stringify(entry)}).then(() => parentPort.postMessage(process.moduleLoadList.filter((m) => !before.includes(m))))`,
    { eval: true },
  )
  const loaded = await new Promise<string[]>((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  await worker.terminate()
  expect(loaded.length).toBeGreaterThan(0)
  // (importing node:util as an ES module loads its lazy parts, util.parseArgs among them)
  expect(loaded.filter((m) => /^NativeModule (?:v8|os|perf_hooks|internal\/util\/parse_args\/parse_args)$/u.test(m))).toEqual([])
})
