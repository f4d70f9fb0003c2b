import { createRequire } from 'node:module'
import type { CallableSpec } from '@x/future'
import { describe, expect, it } from 'vitest'
import { requireForTasks, requiredTask } from '../src/worker/require-first.js'

const tasks = new URL('./fixtures/tasks.mjs', import.meta.url)
// Node's own require (the test runner's import() gives no ES module namespace)
const nodeRequire = createRequire(import.meta.url)
const spec = (module: string, exportName = 'b'): CallableSpec => ({ kind: 'task', module, exportName, name: exportName })
const failing = (code: string, message = 'refused') => (): never => {
  throw Object.assign(new Error(message), { code })
}

describe('requiredTask', () => {
  it('takes the export from the ES module namespace require() gives', () => {
    const fn = requiredTask(nodeRequire, spec(tasks.href))
    expect(fn).toBeTypeOf('function')
    expect(fn).toBe((nodeRequire(new URL(tasks).pathname) as Record<string, unknown>).b)
  })

  it('leaves to import() what require() would load differently, without calling it', () => {
    const never = (): never => {
      throw new Error('require() called')
    }
    for (const url of ['data:text/javascript,export const b = (x) => x * 2', `${tasks.href}?v=2`, `${tasks.href}#x`, new URL('./x.cjs', tasks).href, new URL('./x.ts', tasks).href, new URL('./x.json', tasks).href]) {
      expect(requiredTask(never, spec(url))).toBeUndefined()
    }
    expect(requiredTask(never, { kind: 'source', source: '(x) => x', name: 'f' })).toBeUndefined()
  })

  it('leaves to import() a CommonJS module, a missing or non-function export, and what require() refuses', () => {
    expect(requiredTask(() => ({ b: (x: number) => x * 2 }), spec(tasks.href))).toBeUndefined()
    expect(requiredTask(nodeRequire, spec(tasks.href, 'nope'))).toBeUndefined()
    expect(requiredTask(nodeRequire, spec(tasks.href, 'default'))).toBeUndefined()
    for (const code of ['ERR_REQUIRE_ASYNC_MODULE', 'ERR_REQUIRE_ESM', 'ERR_REQUIRE_CYCLE_MODULE']) {
      expect(requiredTask(failing(code), spec(tasks.href))).toBeUndefined()
    }
    const file = new URL(tasks).pathname
    expect(requiredTask(failing('MODULE_NOT_FOUND', `Cannot find module '${file}'\nRequire stack: ...`), spec(tasks.href))).toBeUndefined()
  })

  it('throws what the module throws while loading (a module it requires being missing too)', () => {
    expect(() => requiredTask(failing('ERR_SOMETHING', 'at load'), spec(tasks.href))).toThrow('at load')
    expect(() => requiredTask(failing('MODULE_NOT_FOUND', "Cannot find module './inner.cjs'"), spec(tasks.href))).toThrow('inner.cjs')
  })
})

describe('requireForTasks', () => {
  const req = (): unknown => undefined

  it('gives require where the thread has no preload or loader flag, in its execArgv or NODE_OPTIONS', () => {
    expect(requireForTasks(req, [], undefined)).toBe(req)
    expect(requireForTasks(req, ['--conditions', 'development', '--enable-source-maps'], '--max-old-space-size=100')).toBe(req)
    expect(requireForTasks(undefined, [], undefined)).toBeUndefined()
    for (const flags of [['--import', 'tsx'], ['--import=tsx'], ['-r', './x.cjs'], ['--require=./x.cjs'], ['--loader', 'x'], ['--experimental-loader=x']]) {
      expect(requireForTasks(req, flags, undefined)).toBeUndefined()
      expect(requireForTasks(req, [], `--enable-source-maps ${flags.join(' ')}`)).toBeUndefined()
    }
  })
})
