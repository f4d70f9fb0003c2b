// What the errors of @x/future say: each message names the problem and a fix that works.
import { transformSync } from 'esbuild'
import { describe, expect, it } from 'vitest'
import {
  AsyncPoolExecutor,
  CancelledError,
  FutureError,
  Future,
  ShutdownError,
  TimeoutError,
  describeCallable,
  invokeCallable,
} from '../src/index.js'
import { rejection } from './helpers.js'

/** Compiles `source` (a module exporting `work`) as esbuild/tsx do with keepNames, and returns `work`. */
function compiledWithKeepNames(source: string): (...args: unknown[]) => unknown {
  const { code } = transformSync(source, { keepNames: true, format: 'cjs', loader: 'ts', target: 'node20' })
  expect(code).toContain('__name(')
  const module = { exports: {} as { work: (...args: unknown[]) => unknown } }
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- runs esbuild's output as Node would run the compiled file
  const run = new Function('module', 'exports', code) as (m: typeof module, e: typeof module.exports) => void
  run(module, module.exports)
  return module.exports.work
}

describe('ShutdownError', () => {
  it('is what submit() throws after shutdown, with Python message and its code', async () => {
    const ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    await ex.shutdown()
    let error: unknown
    try {
      ex.submit(() => 1)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(ShutdownError)
    expect(error).toBeInstanceOf(FutureError)
    expect(error).toMatchObject({
      name: 'ShutdownError',
      code: 'ERR_EXECUTOR_SHUTDOWN',
      message: 'cannot schedule new futures after shutdown',
    })
    expect(() => ex.map((x: number) => x, [1])).toThrow(ShutdownError)
  })
})

describe('CancelledError', () => {
  it('says which future was cancelled, by id and name', async () => {
    const named = new Future({ name: 'resize' })
    named.cancel()
    const error = (await rejection(named.result())) as CancelledError
    expect(error).toBeInstanceOf(CancelledError)
    expect(error.message).toBe(`future #${String(named.id)} "resize" was cancelled before it started`)
    expect(String(await rejection(named.exception()))).toBe(`CancelledError: ${error.message}`)

    const anonymous = new Future()
    const waiting = anonymous.result()
    anonymous.cancel()
    expect(((await rejection(waiting)) as Error).message).toBe(`future #${String(anonymous.id)} was cancelled before it started`)
  })

  it('is not empty when made without a message', () => {
    expect(new CancelledError().message).toBe('the future was cancelled before it started')
    expect(new CancelledError('custom').message).toBe('custom')
  })
})

describe('the outside-variable explanation', () => {
  it('tells a named function to pass data as an argument or to export it under its own name', async () => {
    const limit = 3
    const clamp = (x: number): number => Math.min(x, limit)
    const error = (await rejection(invokeCallable(describeCallable(clamp), [5]))) as Error & { code: string }
    expect(error.code).toBe('ERR_OUTSIDE_VARIABLE')
    expect(error.message).toContain('The function "clamp" uses "limit", a variable from outside the function')
    expect(error.message).toContain('If it is data, pass "limit" as an argument: submit((limit, ...) => ..., limit)')
    expect(error.message).toContain(`export "clamp" from a module and submit task(new URL('./tasks.js', import.meta.url), 'clamp')`)
  })

  it('never tells an anonymous function to export itself as "anonymous"', async () => {
    const limit = 3
    const error = (await rejection(
      invokeCallable(describeCallable(((x: number) => Math.min(x, limit)) as never), [5]),
    )) as Error
    expect(describeCallable(((x: number) => x) as never).name).toBe('anonymous')
    expect(error.message).toMatch(/^The function uses "limit"/)
    expect(error.message).not.toContain("'anonymous'")
    expect(error.message).not.toContain('"anonymous"')
    expect(error.message).toContain("export the function under a name from a module and submit task(new URL('./tasks.js', import.meta.url), 'thatName')")
  })

  it('does not advise passing a function as an argument (arguments cannot be functions): it says to move it inside', async () => {
    const double = (x: number): number => x * 2
    const twice = (xs: number[]): number[] => xs.map(double)
    const error = (await rejection(invokeCallable(describeCallable(twice), [[1]]))) as Error
    expect(error.message).toContain('If it is a function, a class or an import, move it inside the function')
    expect(error.message).not.toMatch(/submit\(fn, double\)/)
  })

  it('explains a compiler helper (an esbuild __helper) as such, not as the user’s variable', async () => {
    // what a compiler leaves in a function's source when it lowers class fields: a call to a helper
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- source text as a compiler emits it
    const make = new Function('return (x) => __publicField(x, "a", 1)') as () => (x: object) => unknown
    const work = make()
    Object.defineProperty(work, 'name', { value: 'work' })
    const error = (await rejection(invokeCallable(describeCallable(work), [{}]))) as Error
    expect(error.message).toContain('"__publicField", a helper your compiler (esbuild, tsx, a bundler) added')
    expect(error.message).toContain(`export "work" from a module and submit task(`)
  })
})

describe('functions compiled by esbuild/tsx with keepNames', () => {
  it('run as source: the __name helper esbuild injects is in their compile scope', async () => {
    const work = compiledWithKeepNames(`
      export const work = (xs: number[]) => {
        function double(x: number) { return x * 2 }
        class Box { constructor(readonly v: number) {} }
        const half = function (x: number) { return x / 2 }
        return xs.map(double).map((x) => new Box(x).v).map(half).concat([double.name.length, Box.name.length])
      }`)
    const source = Function.prototype.toString.call(work)
    expect(source).toContain('__name(double, "double")')
    const spec = describeCallable(work)
    expect(spec).toMatchObject({ kind: 'source', name: 'work' })
    expect(await invokeCallable(spec, [[1, 2, 3]])).toEqual([1, 2, 3, 6, 3])
    const ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    // the in-thread executor runs the function itself (no source), so it works there too
    expect(await ex.submit(work, [4])).toEqual([4, 6, 3])
    await ex.shutdown()
  })
})

describe('TimeoutError', () => {
  it('says which future was not done after how long, and that the task goes on', async () => {
    const named = new Future({ name: 'resize' })
    const error = (await rejection(named.result(5))) as TimeoutError
    expect(error).toBeInstanceOf(TimeoutError)
    expect(error.message).toBe(`future #${String(named.id)} "resize" was not done after 5 ms (the wait gave up; the task itself goes on)`)
    const anonymous = new Future()
    expect(((await rejection(anonymous.exception(0))) as Error).message).toBe(
      `future #${String(anonymous.id)} was not done after 0 ms (the wait gave up; the task itself goes on)`,
    )
    expect(named.state).toBe('PENDING')
  })

  it('is not empty when made without a message', () => {
    expect(new TimeoutError().message).toBe('the wait timed out (the task itself goes on)')
  })
})

describe('TimeoutError and AbortSignal.timeout()', () => {
  it('a task stopped by AbortSignal.timeout() fails with a DOMException named TimeoutError, not ours', async () => {
    const ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    const f = ex.submit(async () => {
      const signal = AbortSignal.timeout(1)
      await new Promise((_, reject) => {
        signal.addEventListener('abort', () => {
          reject(signal.reason as Error)
        })
      })
    })
    const error = await rejection(f.result())
    expect(error).toBeInstanceOf(DOMException)
    expect((error as DOMException).name).toBe('TimeoutError')
    expect(error).not.toBeInstanceOf(TimeoutError)
    expect((error as { code?: unknown }).code).not.toBe('ERR_FUTURE_TIMEOUT')
    const ours = await rejection(new Future().result(1))
    expect(ours).toBeInstanceOf(TimeoutError)
    expect(ours).toMatchObject({ name: 'TimeoutError', code: 'ERR_FUTURE_TIMEOUT' })
    await ex.shutdown()
  })
})
