// Section F of cpython-futures.md §4 (thread-pool specifics) and every bad input.
import { availableParallelism } from 'node:os'
import { BrokenExecutorError, Future, ShutdownError, task } from '@x/future'
import { SerializationError } from '@x/pool-kit'
import { BrokenThreadPoolError, ThreadPoolExecutor, threadName } from '@x/thread-pool'
import { describe, expect, it } from 'vitest'
import { fixture, rejection, track, until } from './helpers.js'

describe('constructor options', () => {
  it('59: maxWorkers 0, negative or fractional is a RangeError; not a number is a TypeError', () => {
    for (const bad of [0, -1, 1.5]) {
      expect(() => new ThreadPoolExecutor({ maxWorkers: bad })).toThrow(RangeError)
      expect(() => new ThreadPoolExecutor({ maxWorkers: bad })).toThrow('max_workers must be greater than 0')
    }
    expect(() => new ThreadPoolExecutor({ maxWorkers: '2' as never })).toThrow(TypeError)
    expect(() => new ThreadPoolExecutor({ maxWorkers: Number.NaN })).toThrow(TypeError)
  })

  it('59: a non-callable initializer is a TypeError "initializer must be a callable"', () => {
    expect(() => new ThreadPoolExecutor({ initializer: 42 as never })).toThrow(TypeError)
    expect(() => new ThreadPoolExecutor({ initializer: 42 as never })).toThrow('initializer must be a callable')
    expect(() => new ThreadPoolExecutor({ initializer: Math.max })).toThrow(/native function/)
  })

  it('refuses unknown options and bad option values, naming them', () => {
    expect(() => new ThreadPoolExecutor({ maxWorker: 2 } as never)).toThrow('unknown option "maxWorker"')
    expect(() => new ThreadPoolExecutor('2' as never)).toThrow(TypeError)
    expect(() => new ThreadPoolExecutor({ initargs: 'x' as never })).toThrow('initargs must be an array')
    expect(() => new ThreadPoolExecutor({ threadNamePrefix: 3 as never })).toThrow('threadNamePrefix must be a string')
    expect(() => new ThreadPoolExecutor({ idleTimeout: -1 })).toThrow('idleTimeout must be a number of milliseconds')
    expect(() => new ThreadPoolExecutor({ abortGracePeriod: Number.NaN })).toThrow('abortGracePeriod')
    expect(() => new ThreadPoolExecutor({ resourceLimits: 5 as never })).toThrow('resourceLimits must be an object')
    expect(() => new ThreadPoolExecutor({ name: 5 as never })).toThrow('name must be a string')
  })

  it('60: maxWorkers defaults to os.availableParallelism()', () => {
    const pool = track(new ThreadPoolExecutor())
    expect(pool.maxWorkers).toBe(availableParallelism())
    expect(pool.kind).toBe('thread')
  })

  it('61: idle reuse: 3 sequential submit+result use exactly 1 worker', async () => {
    const pool = track(new ThreadPoolExecutor())
    for (let i = 0; i < 3; i++) expect(await pool.submit(fixture('pow'), 2, i)).toBe(2 ** i)
    expect(pool.workerCount).toBe(1)
  })

  it('never more threads than maxWorkers, even when work arrives while idle workers are being released', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    let most = 0
    for (let i = 0; i < 15; i++) {
      expect(await pool.submit(fixture('getThreadName'))).toMatch(/_0$/)
      most = Math.max(most, pool.workerCount)
      // long enough for the pool to release its idle session, short enough to race its end
      await new Promise((resolve) => (i % 2 === 0 ? setImmediate(resolve) : setTimeout(resolve, 1)))
      most = Math.max(most, pool.workerCount)
    }
    expect(most).toBe(1)
  })

  it('62: saturation: 60 blocked tasks on 4 workers start exactly 4; 3 on 5 start 3', async () => {
    for (const [workers, tasks] of [
      [4, 60],
      [5, 3],
    ] as const) {
      const pool = track(new ThreadPoolExecutor({ maxWorkers: workers }))
      const sab = new SharedArrayBuffer(8)
      const words = new Int32Array(sab)
      const fs = Array.from({ length: tasks }, (_, i) => pool.submit(fixture('blockOn'), sab, i))
      await until(() => Atomics.load(words, 1) === Math.min(workers, tasks), 'the workers to block')
      expect(pool.workerCount).toBe(Math.min(workers, tasks))
      Atomics.store(words, 0, 1)
      expect(await Promise.all(fs)).toEqual(Array.from({ length: tasks }, (_, i) => i))
      expect(pool.workerCount).toBe(Math.min(workers, tasks))
    }
  })

  it('63: thread names are <prefix>_<n>; the default prefix is ThreadPoolExecutor-<k>', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 5, threadNamePrefix: 'SpecialPool' }))
    const sab = new SharedArrayBuffer(8)
    const words = new Int32Array(sab)
    const blockers = Array.from({ length: 5 }, () => pool.submit(fixture('blockOn'), sab, 0))
    await until(() => Atomics.load(words, 1) === 5, 'five workers')
    const names = await Promise.all(Array.from({ length: 5 }, () => pool.submit(fixture('getThreadName'))).map(async (f, i) => {
      if (i === 0) Atomics.store(words, 0, 1)
      return f
    }))
    await Promise.all(blockers)
    for (const name of names) expect(name).toMatch(/^SpecialPool_[0-4]$/)
    const all = new Set<string | undefined>()
    for (let i = 0; i < 30; i++) all.add(await pool.submit(fixture('getThreadName')))
    for (const name of all) expect(name).toMatch(/^SpecialPool_[0-4]$/)
    const plain = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    expect(await plain.submit(fixture('getThreadName'))).toMatch(/^ThreadPoolExecutor-\d+_0$/)
    expect(threadName()).toBeUndefined()
  })

  it('idleTimeout: idle threads exit after it, and the pool starts new ones for new work', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 2, idleTimeout: 20 }))
    expect(await pool.submit(fixture('pow'), 2, 3)).toBe(8)
    await until(() => pool.workerCount === 0, 'the idle thread to exit')
    expect(await pool.submit(fixture('pow'), 2, 4)).toBe(16)
    const kept = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    expect(await kept.submit(fixture('pow'), 2, 3)).toBe(8)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(kept.workerCount).toBe(1)
  })

  it('64: the initializer runs in every worker before its first task, with initargs', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 2, initializer: fixture('init'), initargs: ['initialized'] }))
    const statuses = await Promise.all(Array.from({ length: 10 }, () => pool.submit(fixture('getStatus'))))
    expect(new Set(statuses)).toEqual(new Set(['initialized']))
    const selfContained = track(
      new ThreadPoolExecutor({
        maxWorkers: 1,
        initializer: (value: string) => {
          ;(globalThis as Record<string, unknown>).initValue = value
        },
        initargs: ['from a function'],
      }),
    )
    expect(await selfContained.submit(() => (globalThis as Record<string, unknown>).initValue)).toBe('from a function')
  })

  it('65: a failing initializer breaks the pool: BrokenThreadPoolError for queued futures and later submits', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 2, initializer: fixture('failingInit') }))
    const fs = Array.from({ length: 5 }, () => pool.submit(fixture('pow'), 2, 2))
    for (const f of fs) {
      const error = (await rejection(f)) as BrokenThreadPoolError
      expect(error).toBeInstanceOf(BrokenThreadPoolError)
      expect(error).toBeInstanceOf(BrokenExecutorError)
      expect(error.message).toBe('A thread initializer failed, the thread pool is not usable anymore')
      expect(error.code).toBe('ERR_BROKEN_THREAD_POOL')
      expect((error.cause as Error).message).toBe('error in initializer')
      expect(error.cause).toBeInstanceOf(RangeError)
    }
    expect(() => pool.submit(fixture('pow'), 2, 2)).toThrow(BrokenThreadPoolError)
    await pool.shutdown()
    // the broken check comes before the shutdown check
    expect(() => pool.submit(fixture('pow'), 2, 2)).toThrow(BrokenThreadPoolError)
  })
})

describe('bad input to submit', () => {
  it('refuses a native or bound function, a class and a non-function, naming the fix', () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    expect(() => pool.submit(Math.pow, 2, 3)).toThrow(TypeError)
    expect(() => pool.submit(Math.pow, 2, 3)).toThrow(/native function.*self-contained function/)
    const bound = ((a: number) => a).bind(null)
    expect(() => pool.submit(bound, 1)).toThrow(/bound function/)
    class Thing {
      readonly n = 1
    }
    const submitAny = pool.submit.bind(pool) as (fn: unknown) => unknown
    expect(() => submitAny(Thing)).toThrow(/class/)
    expect(() => submitAny(42)).toThrow(TypeError)
    expect(() => submitAny(undefined)).toThrow(TypeError)
  })

  it('refuses an Executor or a Future among the arguments, naming the argument', () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    expect(() => pool.submit((x: unknown) => x, pool)).toThrow(/argument 1 is an Executor/)
    expect(() => pool.submit((x: unknown) => x, { nested: [new Future()] })).toThrow(/argument 1\.nested\[0\] is a Future/)
    expect(() => pool.submit((a: unknown, b: unknown) => [a, b], 1, () => 2)).toThrow(/argument 2 is a function/)
    expect(pool.workerCount).toBe(0)
  })

  it('a function using an outside variable fails with an error that says so and names the fix', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    const outside = 41
    const error = (await rejection(pool.submit(() => outside + 1))) as Error & { code: string }
    expect(error.message).toContain('"outside", a variable from outside the function')
    expect(error.message).toContain('task(new URL(')
    expect(error.code).toBe('ERR_OUTSIDE_VARIABLE')
    expect(await pool.submit((x: number) => x + 1, outside)).toBe(42)
  })

  it('global built-ins travel by name (map(String, ...)), other natives do not', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    expect(await pool.submit(String, 12)).toBe('12')
    expect(await pool.submit(Number.parseInt, '42')).toBe(42)
    expect(() => pool.submit(Math.max, 1, 2)).toThrow(TypeError)
  })

  it('an argument that cannot be cloned fails that future only', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    const good = pool.submit((x: number) => x, 1)
    const bad = pool.submit((x: unknown) => x, { deep: { deeper: { deepest: { fn: Symbol('s') } } } })
    const error = (await rejection(bad)) as Error
    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toMatch(/cannot be sent to a worker thread/)
    expect(await good).toBe(1)
    expect(await pool.submit((x: number) => x, 2)).toBe(2)
  })

  it('a result that cannot be cloned fails with an error that says so', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    const error = (await rejection(pool.submit(fixture('unclonable')))) as Error
    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toMatch(/cannot be sent back from the worker/)
    // the thread goes on, and its next lone result is its own
    expect(await pool.submit((x: number) => x + 1, 1)).toBe(2)
    await expect(pool.submit(fixture('unclonable'))).rejects.toThrow(/cannot be sent back from the worker/)
    expect(await pool.submit((x: number) => x + 1, 2)).toBe(3)
  })

  it('refuses bad submitWith and shutdown options', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    expect(() => pool.submitWith({ nme: 'x' } as never, (x: number) => x, 1)).toThrow('unknown option "nme"')
    expect(() => pool.submitWith({ signal: {} as never }, (x: number) => x, 1)).toThrow('signal must be an AbortSignal')
    expect(() => pool.submitWith({ transfer: 'x' as never }, (x: number) => x, 1)).toThrow('transfer must be an array')
    expect(() => pool.submitWith(null as never, (x: number) => x, 1)).toThrow(TypeError)
    await expect(pool.shutdown({ wiat: true } as never)).rejects.toThrow('unknown option "wiat"')
  })

  it('a missing export of a task module is a TypeError naming the module and export', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    const missing = task(new URL('./fixtures/tasks.mjs', import.meta.url), 'nope')
    const error = (await rejection(pool.submit(missing))) as Error
    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toMatch(/has no export named "nope"/)
  })
})

describe('one SerializationError for both pools', () => {
  it("an argument that cannot be cloned fails with @x/pool-kit's SerializationError (a TypeError with a code)", async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    const error = (await rejection(pool.submit((x: unknown) => x, Symbol('s')))) as SerializationError
    expect(error).toBeInstanceOf(SerializationError)
    expect(error).toBeInstanceOf(TypeError)
    expect(error.code).toBe('ERR_SERIALIZATION')
  })

  it('so does one sent to an idle thread that has run the callable already (a round trip of its own); the thread goes on', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1, minWorkers: 1 }))
    const identity = (x: unknown): unknown => x
    // (a few round trips: the thread is ready and idle, and has the callable)
    for (let i = 0; i < 3; i++) expect(await pool.submit(identity, i)).toBe(i)
    const error = (await rejection(pool.submit(identity, Symbol('s')))) as SerializationError
    expect(error).toBeInstanceOf(SerializationError)
    expect(error.code).toBe('ERR_SERIALIZATION')
    expect(error.message).toMatch(/argument 1 of "identity" cannot be sent to a worker thread/)
    expect(await pool.submit(identity, 2)).toBe(2)
    expect(pool.stats()).toMatchObject({ completed: 4, failed: 1, running: 0, queued: 0 })
  })
})

describe('after shutdown', () => {
  it("submit() throws ShutdownError (ERR_EXECUTOR_SHUTDOWN) with Python's message", async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 })
    await pool.shutdown()
    let error: unknown
    try {
      pool.submit((x: number) => x, 1)
    } catch (thrown) {
      error = thrown
    }
    expect(error).toBeInstanceOf(ShutdownError)
    expect((error as ShutdownError).code).toBe('ERR_EXECUTOR_SHUTDOWN')
    expect((error as Error).message).toBe('cannot schedule new futures after shutdown')
  })
})
