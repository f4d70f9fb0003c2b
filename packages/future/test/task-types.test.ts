// Typed task handles. The type half is checked by tsc (this file is part of the type-checked test
// project, `pnpm typecheck` and the root `tsc -b` in `pnpm test`): every `@ts-expect-error` below
// must meet an error, so a wrong export name, a wrong argument or a wrong result type that
// compiled would fail the build. The run half checks the handles work.
import { describe, expect, it } from 'vitest'
import { AsyncPoolExecutor, task } from '../src/index.js'
import type { Future, Task, TaskName } from '../src/index.js'
import type * as tasksModule from './fixtures/typed-tasks.mjs'

// what users write as `typeof import('./tasks.js')` (this repository's lint rule wants the import form)
type Tasks = typeof tasksModule
const url = new URL('./fixtures/typed-tasks.mjs', import.meta.url)

/** Compile-time only: never called. */
function typeChecks(ex: AsyncPoolExecutor): unknown[] {
  // the module form checks the export name
  task<Tasks>(url, 'fib')
  task<Tasks>(url, 'default')
  // @ts-expect-error: 'fibb' is not an export of typed-tasks.mjs
  task<Tasks>(url, 'fibb')
  // @ts-expect-error: 'answer' is not a function
  task<Tasks>(url, 'answer')

  // with the name as a type argument too, arguments and result are exact
  const fib = task<Tasks, 'fib'>(url, 'fib')
  const n: Future<number> = ex.submit(fib, 30)
  // @ts-expect-error: wrong argument type
  ex.submit(fib, '30')
  // @ts-expect-error: missing argument
  ex.submit(fib)
  // @ts-expect-error: wrong result type
  const s: Future<string> = ex.submit(fib, 30)
  const greet = task<Tasks, 'greet'>(url, 'greet')
  const g: Future<string> = ex.submitWith({ name: 'hi' }, greet, 'you', 2) // the promise is awaited
  // @ts-expect-error: the name type argument and the name must agree
  task<Tasks, 'fib'>(url, 'greet')

  // the module form alone types the handle as any of the module's functions
  const any = task<Tasks>(url, 'greet')
  const either: Future<number | string | boolean> = ex.submit(any, 'you', 2)
  // @ts-expect-error: no export takes these arguments
  ex.submit(any, true, true, true)

  // the old forms keep working
  const old = task<typeof tasksModule.fib>(url, 'fib')
  const o: Future<number> = ex.submit(old, 1)
  // @ts-expect-error: wrong argument type (old form)
  ex.submit(old, 'x')
  const untyped = task(url, 'fib')
  ex.submit(untyped, 'anything', 1, 2)
  const names: TaskName<Tasks>[] = ['fib', 'greet', 'default']
  const handle: Task = fib
  return [n, s, g, either, o, names, handle]
}

describe('typed task handles', () => {
  it('name the export at run time whatever the type form', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 2 })
    expect(typeof typeChecks).toBe('function')
    expect(await ex.submit(task<Tasks, 'fib'>(url, 'fib'), 10)).toBe(55)
    expect(await ex.submit(task<Tasks>(url, 'greet'), 'you', 2)).toBe('hello youhello you')
    expect(await ex.submit(task<Tasks, 'default'>(url, 'default'))).toBe(true)
    expect(task<Tasks>(url, 'default').name).toBe('typed-tasks')
  })
})
