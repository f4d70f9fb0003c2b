// The package build bundles the worker entry (scripts/bundle.mjs): a fresh thread loads one file of
// this package's and @x/pool-kit's code, and shares @x/future with the task modules it imports
// (only its `runtime` entry at start: the executors load when a task needs them), from the URL
// the pool resolved (`--link`, ThreadData.links): a thread does not resolve the specifier itself.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { ThreadPoolExecutor } from '@x/thread-pool'
import { expect, it } from 'vitest'
import { fixture } from './helpers.js'

it('the worker entry is one bundled file: it imports only node builtins (and @x/future/runtime at load)', () => {
  const source = readFileSync(new URL('../dist/bundle/worker.js', import.meta.url), 'utf8')
  const imports = [...source.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s*["']([^"']+)["']/gmu)].map((m) => m[1] ?? '')
  expect(imports.length).toBeGreaterThan(0)
  for (const specifier of imports) expect(specifier).toMatch(/^node:/u)
  // the pool starts threads on the bundle
  expect(readFileSync(new URL('../dist/threads.js', import.meta.url), 'utf8')).toContain("'./bundle/worker.js'")
})

it('loading the worker entry in a fresh thread loads no node:v8, node:os, node:perf_hooks, node:util nor node:module (each thread start would pay for them)', async () => {
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
  // (node:module brings Node's source-map support along: @x/future/runtime needs it only for a
  // nested submission from a thread that never loaded @x/future)
  expect(loaded.filter((m) => /^NativeModule (?:v8|os|perf_hooks|module|internal\/util\/parse_args\/parse_args)$/u.test(m))).toEqual([])
})

const loadEntry = async (workerData: unknown): Promise<unknown> => {
  const { Worker } = await import('node:worker_threads')
  const entry = new URL('../dist/bundle/worker.js', import.meta.url).href
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads')
    import(${JSON.stringify(entry)}).then(() => parentPort.postMessage(globalThis.linkedRuntime ?? 'resolved'))`,
    { eval: true, workerData },
  )
  try {
    return await new Promise((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
    })
  } finally {
    await worker.terminate()
  }
}

it('the worker entry imports @x/future/runtime from the URL in workerData.links, else by its specifier', async () => {
  const linked = new URL('./fixtures/linked-runtime.mjs', import.meta.url).href
  expect(await loadEntry({ links: { '@x/future/runtime': linked } })).toBe('fixture')
  expect(await loadEntry({})).toBe('resolved')
})

it('the pool hands every thread where @x/future/runtime is, as this package resolves it', async () => {
  const expected = pathToFileURL(createRequire(import.meta.url).resolve('@x/future/runtime')).href
  const ex = new ThreadPoolExecutor({ maxWorkers: 1 })
  try {
    expect(await ex.submit(fixture('runtimeLink'))).toBe(expected)
  } finally {
    await ex.shutdown()
  }
})
