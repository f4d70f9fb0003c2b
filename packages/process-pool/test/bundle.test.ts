// The package build bundles the child entry (scripts/bundle.mjs): a fresh child loads one file of
// this package's and @x/pool-kit's code, and shares @x/future with the task modules it imports
// (only its `runtime` entry at start: the executors load when a task needs them).
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { ProcessPoolExecutor } from '@x/process-pool'
import { expect, it } from 'vitest'
import { t } from './helpers.js'

const importsOf = (file: URL): string[] =>
  [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s*["']([^"']+)["']/gmu)].map((m) => m[1] ?? '')

it('the child entry is one bundled file: it imports only node builtins, tinypool and @x/future/runtime', () => {
  const child = new URL('../dist/bundle/child.js', import.meta.url)
  const imports = importsOf(child)
  expect(imports.length).toBeGreaterThan(0)
  for (const specifier of imports) expect(specifier).toMatch(/^(?:node:|@x\/future\/runtime$|tinypool$)/u)
})

it('@x/future loads as one bundle (plus shared chunks), the same file for the pool, its children and task modules', () => {
  const entry = createRequire(import.meta.url).resolve('@x/future').replaceAll('\\', '/')
  expect(entry).toMatch(/\/future\/dist\/bundle\/index\.js$/u)
  for (const specifier of importsOf(new URL(`file://${entry}`))) expect(specifier).toMatch(/^(?:node:|\.\/chunk-[\w-]+\.js$)/u)
})

it('loading the child entry loads no fs streams (an ES module import of node:fs would, and every child start would pay for them)', async () => {
  const { Worker } = await import('node:worker_threads')
  const entry = new URL('../dist/bundle/child.js', import.meta.url).href
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

it('a child loads @x/future/runtime from where the parent resolved it (an argument its entry takes out of process.argv), and its tasks see one @x/future through both entries', async () => {
  const pool = new ProcessPoolExecutor({ maxWorkers: 1 })
  try {
    expect(await pool.submit(t('futureCopies'))).toEqual({ sameTask: true, sameErrors: true, linked: true, inArgv: false })
  } finally {
    await pool.shutdown()
  }
})
