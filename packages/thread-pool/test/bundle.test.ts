// The package build bundles the worker (scripts/bundle.mjs --cjs): a fresh thread starts on
// dist/thread-entry.cjs, which compiles one file of this package's and @x/pool-kit's code
// (dist/bundle/worker.cjs) with V8's code cache, and shares @x/future with the task modules it
// loads (only its `runtime` entry at start: the executors load when a task needs them), loaded
// from the URL the pool resolved (`--link`, ThreadData.links) with require() inside the thread's
// load guard, or import(): a thread does not resolve the specifier itself.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { ThreadPoolExecutor } from '@x/thread-pool'
import { expect, it } from 'vitest'
import { fixture } from './helpers.js'

it('the bundled worker is one CommonJS file: it requires only node builtins, and gets @x/future/runtime from its entry', () => {
  const source = readFileSync(new URL('../dist/bundle/worker.cjs', import.meta.url), 'utf8')
  const required = [...source.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/gu)].map((m) => m[1] ?? '')
  expect(required.length).toBeGreaterThan(0)
  for (const specifier of required) expect(specifier).toMatch(/^node:/u)
  // no import(): the linked package comes from the entry, which loaded it with import()
  expect(source).not.toMatch(/\bimport\s*\(/u)
  expect(source).toContain('xLinked["@x/future/runtime"]')
  // the pool starts threads on the entry
  expect(readFileSync(new URL('../dist/threads.js', import.meta.url), 'utf8')).toContain("'./thread-entry.cjs'")
})

it('a thread requires modules only inside its load guard (Node 20.20 aborts the process when a thread is terminated inside a require() of an ES module: src/load-guard.ts)', () => {
  const entry = readFileSync(new URL('../dist/thread-entry.cjs', import.meta.url), 'utf8')
  const code = entry.replace(/\/\*[\s\S]*?\*\//gu, '').replace(/\/\/.*$/gmu, '')
  const guard = /\nfunction guardedRequire\([^)]*\) \{\n[\s\S]*?\n\}\n/u.exec(code)?.[0] ?? ''
  expect(guard).toMatch(/\brequire\(/u)
  expect(guard).toContain('Atomics.compareExchange')
  // everything else goes through the guard, or import()
  expect(code.replace(guard, '')).not.toMatch(/\brequire\(/u)
  expect(code).toMatch(/\bimport\(/u)
})

it('loading the worker entry in a fresh thread loads no node:v8, node:os, node:perf_hooks, node:util nor node:module (each thread start would pay for them)', async () => {
  const { Worker } = await import('node:worker_threads')
  const entry = new URL('../dist/thread-entry.cjs', import.meta.url).href
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads')
    const before = process.moduleLoadList.slice()
    import(${JSON.stringify(entry)}).then((entry) => entry.default).then(() => parentPort.postMessage(process.moduleLoadList.filter((m) => !before.includes(m))))`,
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
  const entry = new URL('../dist/thread-entry.cjs', import.meta.url).href
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads')
    import(${JSON.stringify(entry)}).then((entry) => entry.default).then(() => parentPort.postMessage(globalThis.linkedRuntime ?? 'resolved'))`,
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

it("the pool hands every thread where @x/future/runtime's core is, as this package resolves the entry (one file: the entry's code, the module instance behind it)", async () => {
  const expected = new URL('./runtime-core.js', pathToFileURL(createRequire(import.meta.url).resolve('@x/future/runtime'))).href
  const ex = new ThreadPoolExecutor({ maxWorkers: 1 })
  try {
    expect(await ex.submit(fixture('runtimeLink'))).toBe(expected)
  } finally {
    await ex.shutdown()
  }
})

it('a thread whose entry cannot load @x/future/runtime ends with that error, under any --unhandled-rejections mode', async () => {
  const entry = fileURLToPath(new URL('../dist/thread-entry.cjs', import.meta.url))
  const missing = new URL('./fixtures/no-such-runtime.mjs', import.meta.url).href
  const script = `const { Worker } = require('node:worker_threads')
    const worker = new Worker(${JSON.stringify(entry)}, { workerData: { links: { '@x/future/runtime': ${JSON.stringify(missing)} } } })
    worker.on('error', (error) => { console.log('error ' + error.code) })
    worker.on('exit', (code) => { console.log('exit ' + code) })`
  for (const mode of ['throw', 'none']) {
    const { failed, stdout } = await new Promise<{ failed: boolean; stdout: string }>((resolve) => {
      execFile(process.execPath, [`--unhandled-rejections=${mode}`, '-e', script], { timeout: 20_000 }, (error, out) => {
        resolve({ failed: error !== null, stdout: out })
      })
    })
    expect(failed).toBe(false)
    expect(stdout.trim().split('\n')).toEqual(['error ERR_MODULE_NOT_FOUND', 'exit 1'])
  }
})
