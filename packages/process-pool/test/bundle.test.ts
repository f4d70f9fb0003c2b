// The package build bundles the child's code (scripts/bundle.mjs --cjs): a fresh child loads one
// small entry (dist/child-entry.js) and one bundled script of this package's and @x/pool-kit's
// code, compiled with the code cache a child of the process made, and shares @x/future with the
// task modules it imports (only its runtime core at start: the executors load when a task needs
// them).
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { ProcessPoolExecutor } from '@x/process-pool'
import { expect, it } from 'vitest'
import { t } from './helpers.js'

const importsOf = (file: URL): string[] =>
  [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s*["']([^"']+)["']/gmu)].map((m) => m[1] ?? '')

it("the child's code is one bundled script: it requires only node builtins, and imports nothing", () => {
  const bundle = readFileSync(new URL('../dist/bundle/child.cjs', import.meta.url), 'utf8')
  const required = [...bundle.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/gu)].map((m) => m[1] ?? '')
  for (const specifier of required) expect(specifier).toMatch(/^node:/u)
  expect(bundle).not.toMatch(/\bimport\s*\(|^\s*import\s/mu)
  // the child's entry imports nothing: it loads the bundle and @x/future/runtime itself
  expect(importsOf(new URL('../dist/child-entry.js', import.meta.url))).toEqual([])
})

it('@x/future loads as one bundle (plus shared chunks), the same file for the pool, its children and task modules', () => {
  const entry = createRequire(import.meta.url).resolve('@x/future').replaceAll('\\', '/')
  expect(entry).toMatch(/\/future\/dist\/bundle\/index\.js$/u)
  for (const specifier of importsOf(new URL(`file://${entry}`))) expect(specifier).toMatch(/^(?:node:|\.\/chunk-[\w-]+\.js$)/u)
})

it('loading the child entry loads no fs streams (an ES module import of node:fs would, and every child start would pay for them)', async () => {
  const { Worker } = await import('node:worker_threads')
  const entry = new URL('../dist/child-entry.js', import.meta.url).href
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads')
    const before = process.moduleLoadList.slice()
    import(${JSON.stringify(entry)}).then(() => parentPort.postMessage(process.moduleLoadList.filter((m) => !before.includes(m))))`,
    { eval: true },
  )
  try {
    const loaded = await new Promise<string[]>((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
    })
    expect(loaded.length).toBeGreaterThan(0)
    expect(loaded.filter((m) => /^NativeModule (?:internal\/fs\/streams|module)$/u.test(m))).toEqual([])
  } finally {
    await worker.terminate()
  }
})

it("a child loads @x/future/runtime's core from where the parent resolved it (an argument its entry takes out of process.argv), and its tasks see one @x/future through both entries", async () => {
  const pool = new ProcessPoolExecutor({ maxWorkers: 1 })
  try {
    expect(await pool.submit(t('futureCopies'))).toEqual({ sameTask: true, sameErrors: true, linked: true, inArgv: false })
  } finally {
    await pool.shutdown()
  }
})

it("the process's first child makes the code cache of the bundled child, later children of any pool use it", async () => {
  const stateOfANewChild = async (): Promise<unknown> => {
    const pool = new ProcessPoolExecutor({ maxWorkers: 1 })
    try {
      return await pool.submit(t('codeCacheState')).result()
    } finally {
      await pool.shutdown()
    }
  }
  // 'none' when no child of this process ran before (vitest isolates each test file), else the
  // cache an earlier one made
  expect(['none', 'used']).toContain(await stateOfANewChild())
  expect(await stateOfANewChild()).toBe('used')
  const pool = new ProcessPoolExecutor({ maxWorkers: 2, minWorkers: 2 })
  try {
    const states = await Promise.all([pool.submit(t('codeCacheState')).result(), pool.submit(t('codeCacheState')).result()])
    expect(states).toEqual(['used', 'used'])
  } finally {
    await pool.shutdown()
  }
})
