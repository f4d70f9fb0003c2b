/**
 * `@x/future/testing`: the backend conformance suite. One call registers Vitest tests that check
 * an executor against the `Executor` contract (Python's `concurrent.futures` semantics, DESIGN.md).
 *
 * The tasks it submits are self-contained functions, so the suite runs unchanged against
 * in-thread executors, thread pools and process pools. Tasks that must block wait for a file to
 * appear (a "latch"), which works across threads and processes alike.
 *
 * @example
 * ```ts
 * // my-executor.test.ts
 * import { describeExecutorConformance } from '@x/future/testing'
 * import { MyExecutor } from '../src/index.js'
 *
 * describeExecutorConformance('MyExecutor', ({ maxWorkers }) => new MyExecutor({ maxWorkers }))
 * ```
 *
 * @packageDocumentation
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import {
  ALL_COMPLETED,
  CancelledError,
  Executor,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  Future,
  TimeoutError,
  asCompleted,
  currentTask,
  wait,
} from '../index.js'

/** Makes a fresh executor with at most `maxWorkers` workers. */
export type ExecutorFactory = (options: { maxWorkers: number }) => Executor | Promise<Executor>

/** Options of {@link describeExecutorConformance}. */
export interface ConformanceOptions {
  /** Per-test timeout in milliseconds (a hang is a failure). @default 30000 */
  timeout?: number
}

/** A file-based latch: tasks poll for the file; `release()` creates it. Works across processes. */
export interface Latch {
  readonly path: string
  release(): void
}

/** A file that tasks append JSON lines to (see {@link recordTask}); works across processes. */
export interface Recorder {
  readonly path: string
  lines(): unknown[]
}

// ---- self-contained task functions (they travel to workers as source text) -------------------

/** Waits until the latch file exists, then returns `value`. */
export const waitForLatch = async (file: string, value?: unknown): Promise<unknown> => {
  const fs = process.getBuiltinModule('node:fs')
  while (!fs.existsSync(file)) await new Promise((resolve) => setTimeout(resolve, 2))
  return value
}

/** Appends `value` as a JSON line to `file` and returns it. */
export const recordTask = (file: string, value: unknown): unknown => {
  process.getBuiltinModule('node:fs').appendFileSync(file, `${JSON.stringify(value)}\n`)
  return value
}

/** Records `start`, waits for the latch, records `stop`. */
export const recordAndWait = async (record: string, latch: string, id: string): Promise<string> => {
  const fs = process.getBuiltinModule('node:fs')
  fs.appendFileSync(record, `${JSON.stringify(`${id} started`)}\n`)
  while (!fs.existsSync(latch)) await new Promise((resolve) => setTimeout(resolve, 2))
  fs.appendFileSync(record, `${JSON.stringify(`${id} stopped`)}\n`)
  return id
}

const pow = (a: number, b: number): number => a ** b
const add = (a: number, b: number): number => a + b
const identity = (value: unknown): unknown => value
const divide = (a: number, b: number): number => {
  if (b === 0) throw new RangeError('division by zero')
  return Math.trunc(a / b)
}
const throwValue = (kind: string): never => {
  const values: Record<string, unknown> = { zero: 0, empty: '', null: null, undefined: undefined }
   
  throw values[kind]
}
const throwRich = (): never => {
  const error = new TypeError('bad input', { cause: new RangeError('inner cause') }) as TypeError & {
    code: string
    detail: { n: number }
  }
  error.code = 'E_BAD'
  error.detail = { n: 7 }
  throw error
}
const sleepThen = async (ms: number, value: unknown): Promise<unknown> => {
  await new Promise((resolve) => setTimeout(resolve, ms))
  return value
}
const describeContext = (): { id: number; name: string | undefined; hasExecutor: boolean } => {
  const task = (globalThis as Record<symbol, () => ReturnType<typeof currentTask>>)[Symbol.for('@x/future.currentTask')]?.()
  if (task === undefined) throw new Error('currentTask() is undefined inside a task')
  return { id: task.id, name: task.name, hasExecutor: typeof task.executor.submit === 'function' }
}
const nestedSum = async (n: number): Promise<number> => {
  const task = (globalThis as Record<symbol, () => ReturnType<typeof currentTask>>)[Symbol.for('@x/future.currentTask')]?.()
  if (task === undefined) throw new Error('currentTask() is undefined inside a task')
  const child = task.executor.submit((x: number) => x * 10, n)
  return (await child) + 1
}
const waitForAbort = async (latch: string): Promise<string> => {
  const task = (globalThis as Record<symbol, () => ReturnType<typeof currentTask>>)[Symbol.for('@x/future.currentTask')]?.()
  if (task === undefined) throw new Error('currentTask() is undefined inside a task')
  process.getBuiltinModule('node:fs').writeFileSync(latch, 'started')
  const signal = task.signal
  if (!signal.aborted) await new Promise((resolve) => { signal.addEventListener('abort', resolve, { once: true }); })
  return `aborted: ${String(signal.reason)}`
}

// ---- helpers ---------------------------------------------------------------------------------

function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const start = Date.now()
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (condition()) resolve()
      else if (Date.now() - start > ms) reject(new Error(`timed out waiting for ${what}`))
      else setTimeout(poll, 2)
    }
    poll()
  })
}

async function collect<T>(iterator: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const value of iterator) out.push(value)
  return out
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the promise to reject, but it resolved')
}

/**
 * Registers the conformance tests for an executor under `describe(name)`. Every test makes its
 * own executor with `factory` and shuts it down afterwards.
 */
export function describeExecutorConformance(name: string, factory: ExecutorFactory, options?: ConformanceOptions): void {
  const timeout = options?.timeout ?? 30_000
  let dir: string | undefined
  let counter = 0
  const executors: Executor[] = []

  const tempDir = (): string => (dir ??= mkdtempSync(join(tmpdir(), 'x-conformance-')))
  const latch = (): Latch => {
    const path = join(tempDir(), `latch-${String(++counter)}`)
    return { path, release: () => { writeFileSync(path, 'go'); } }
  }
  const recorder = (): Recorder => {
    const path = join(tempDir(), `record-${String(++counter)}`)
    return {
      path,
      lines: () =>
        existsSync(path)
          ? readFileSync(path, 'utf8')
              .split('\n')
              .filter((line) => line !== '')
              .map((line) => JSON.parse(line) as unknown)
          : [],
    }
  }
  const make = async (maxWorkers: number): Promise<Executor> => {
    const executor = await factory({ maxWorkers })
    executors.push(executor)
    return executor
  }

  describe(`${name} conforms to the Executor contract`, () => {
    afterEach(async () => {
      const open = executors.splice(0)
      await Promise.all(open.map((executor) => executor.shutdown({ wait: true, cancelFutures: true })))
    })
    afterAll(() => {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
    })

    describe('submit', () => {
      it('returns a Future that resolves to the result', { timeout }, async () => {
        const ex = await make(2)
        expect(ex).toBeInstanceOf(Executor)
        const f = ex.submit(pow, 2, 8)
        expect(f).toBeInstanceOf(Future)
        expect(await f).toBe(256)
        expect(await f.result()).toBe(256)
        expect(f.state).toBe('FINISHED')
        expect(await f.exception()).toBeUndefined()
      })

      it('passes arguments unchanged', { timeout }, async () => {
        const ex = await make(2)
        const value = {
          list: [1, 'two', null],
          nested: { deep: true },
          big: 2n ** 70n,
          map: new Map([['k', 1]]),
          set: new Set([1, 2]),
          date: new Date(0),
          missing: undefined,
        }
        expect(await ex.submit(identity, value)).toEqual(value)
        expect(await ex.submit(add, 20, 22)).toBe(42)
      })

      it("rejects with the task's error (class, message, code, own properties, cause) and stays usable", { timeout }, async () => {
        const ex = await make(2)
        const error = (await rejection(ex.submit(throwRich).result())) as TypeError & { code: string; detail: unknown }
        expect(error).toBeInstanceOf(TypeError)
        expect(error.message).toBe('bad input')
        expect(error.code).toBe('E_BAD')
        expect(error.detail).toEqual({ n: 7 })
        expect(error.cause).toBeInstanceOf(RangeError)
        expect((error.cause as Error).message).toBe('inner cause')
        expect(error.stack).toContain('throwRich')
        expect(await ex.submit(pow, 7, 2)).toBe(49)
      })

      it('treats falsy thrown values as failures', { timeout }, async () => {
        const ex = await make(2)
        for (const [kind, value] of [['zero', 0], ['empty', ''], ['null', null], ['undefined', undefined]] as const) {
          const f = ex.submit(throwValue, kind)
          expect(await rejection(f.result())).toBe(value)
          expect(f.toString()).toContain('finished raised')
        }
      })

      it('refuses something that is not a function with a TypeError', { timeout }, async () => {
        const ex = await make(1)
        expect(() => ex.submit(42 as unknown as () => void)).toThrow(TypeError)
      })

      it('refuses submit after shutdown, and a second shutdown is harmless', { timeout }, async () => {
        const ex = await make(1)
        await ex.shutdown()
        expect(() => ex.submit(pow, 2, 2)).toThrow('cannot schedule new futures after shutdown')
        await ex.shutdown()
      })
    })

    describe('futures and cancellation', () => {
      it('cancel() works only while PENDING; a cancelled queued future is notified at once', { timeout }, async () => {
        const ex = await make(1)
        const gate = latch()
        const running = ex.submit(waitForLatch, gate.path, 'first')
        const queued = ex.submit(pow, 2, 3)
        await until(() => running.running(), 'the first task to start')
        expect(running.cancel()).toBe(false)
        expect(queued.cancel()).toBe(true)
        expect(queued.cancelled()).toBe(true)
        expect(await rejection(queued.result())).toBeInstanceOf(CancelledError)
        const { done } = await wait([queued], { timeout: 5000 })
        expect(done.has(queued)).toBe(true)
        expect(queued.state).toBe('CANCELLED_AND_NOTIFIED')
        gate.release()
        expect(await running).toBe('first')
      })

      it('an aborted signal cancels a pending future and aborts a running task', { timeout }, async () => {
        const ex = await make(1)
        const started = latch()
        const runningCtl = new AbortController()
        const running = ex.submitWith({ signal: runningCtl.signal, name: 'aborter' }, waitForAbort, started.path)
        const queuedCtl = new AbortController()
        const queued = ex.submitWith({ signal: queuedCtl.signal }, pow, 2, 4)
        await until(() => existsSync(started.path), 'the task to start')
        queuedCtl.abort()
        expect(queued.cancelled()).toBe(true)
        runningCtl.abort('stop now')
        expect(await running).toBe('aborted: stop now')
      })

      it('currentTask() describes the task and its executor takes nested work', { timeout }, async () => {
        const ex = await make(2)
        const f = ex.submitWith({ name: 'ctx' }, describeContext)
        expect(await f).toEqual({ id: f.id, name: 'ctx', hasExecutor: true })
        expect(await ex.submit(nestedSum, 4)).toBe(41)
        expect(currentTask()).toBeUndefined()
      })

      it('a failed future that nobody reads raises no unhandledRejection', { timeout }, async () => {
        const ex = await make(2)
        const seen: unknown[] = []
        const onUnhandled = (reason: unknown): void => {
          seen.push(reason)
        }
        process.on('unhandledRejection', onUnhandled)
        try {
          const fs = [ex.submit(throwRich), ex.submit(throwValue, 'zero')]
          await wait(fs)
          await new Promise((resolve) => setTimeout(resolve, 50))
          expect(seen).toEqual([])
        } finally {
          process.off('unhandledRejection', onUnhandled)
        }
      })
    })

    describe('wait and asCompleted with executor futures', () => {
      it('FIRST_COMPLETED returns with the finished future and leaves the blocked one', { timeout }, async () => {
        const ex = await make(2)
        const gate = latch()
        const blocked = ex.submit(waitForLatch, gate.path)
        const fast = ex.submit(pow, 21, 2)
        const { done, notDone } = await wait([blocked, fast], { returnWhen: FIRST_COMPLETED })
        expect(done.has(fast)).toBe(true)
        expect(notDone.has(blocked)).toBe(true)
        gate.release()
      })

      it('FIRST_EXCEPTION returns on the first failure', { timeout }, async () => {
        const ex = await make(3)
        const gate = latch()
        const ok = ex.submit(pow, 2, 1)
        await ok
        const bad = ex.submit(divide, 21, 0)
        const blocked = ex.submit(waitForLatch, gate.path)
        const { done, notDone } = await wait([ok, bad, blocked], { returnWhen: FIRST_EXCEPTION })
        expect([...done].sort((a, b) => a.id - b.id)).toEqual([ok, bad])
        expect([...notDone]).toEqual([blocked])
        gate.release()
      })

      it('ALL_COMPLETED with a timeout returns what is done', { timeout }, async () => {
        const ex = await make(2)
        const gate = latch()
        const blocked = ex.submit(waitForLatch, gate.path)
        const a = ex.submit(divide, 2, 0)
        const b = ex.submit(pow, 2, 21)
        await Promise.allSettled([a.result(), b.result()])
        const { done, notDone } = await wait([a, b, blocked], { timeout: 50, returnWhen: ALL_COMPLETED })
        expect(done).toEqual(new Set([a, b]))
        expect(notDone).toEqual(new Set([blocked]))
        gate.release()
      })

      it('100 tasks released together are all seen by wait()', { timeout }, async () => {
        const ex = await make(4)
        const gate = latch()
        const fs = Array.from({ length: 100 }, (_, i) => ex.submit(waitForLatch, gate.path, i))
        setTimeout(() => {
          gate.release()
        }, 20)
        const { done, notDone } = await wait(fs)
        expect(done.size).toBe(100)
        expect(notDone.size).toBe(0)
      })

      it('asCompleted yields the futures themselves, done ones first, then in completion order', { timeout }, async () => {
        const ex = await make(3)
        const [l1, l2, l3] = [latch(), latch(), latch()]
        const already = ex.submit(pow, 2, 2)
        await already
        const f1 = ex.submit(waitForLatch, l1.path, 1)
        const f2 = ex.submit(waitForLatch, l2.path, 2)
        const f3 = ex.submit(waitForLatch, l3.path, 3)
        const order: unknown[] = []
        const iterating = (async () => {
          for await (const f of asCompleted<unknown>([f3, already, f1, f2, f1])) {
            expect(f).toBeInstanceOf(Future)
            order.push(f)
            if (f === already) l2.release()
            if (f === f2) l1.release()
            if (f === f1) l3.release()
          }
        })()
        await iterating
        expect(order).toEqual([already, f2, f1, f3])
      })

      it('asCompleted throws TimeoutError "N (of M) futures unfinished"', { timeout }, async () => {
        const ex = await make(2)
        const gate = latch()
        const done = ex.submit(pow, 3, 3)
        await done
        const blocked = ex.submit(waitForLatch, gate.path)
        const seen: unknown[] = []
        const error = await rejection(
          (async () => {
            for await (const f of asCompleted<unknown>([done, blocked], { timeout: 30 })) seen.push(f)
          })(),
        )
        expect(seen).toEqual([done])
        expect(error).toBeInstanceOf(TimeoutError)
        expect((error as Error).message).toBe('1 (of 2) futures unfinished')
        gate.release()
      })
    })

    describe('map', () => {
      it('yields results in input order, with zip semantics, for chunksize 1 and 3', { timeout }, async () => {
        const ex = await make(3)
        const xs = Array.from({ length: 10 }, (_, i) => i)
        const expected = xs.map((x) => x ** x)
        expect(await collect(ex.map(pow, xs, xs))).toEqual(expected)
        expect(await collect(ex.map(pow, xs, xs, { chunksize: 3 }))).toEqual(expected)
        expect(await collect(ex.map(add, [1, 2, 3], [10, 20, 30, 40, 50]))).toEqual([11, 22, 33])
        const variadic: (...args: number[]) => number = pow
        expect(await collect(ex.map(variadic))).toEqual([])
        expect(await collect(ex.map(pow, [], []))).toEqual([])
      })

      it('throws the first error, then ends', { timeout }, async () => {
        const ex = await make(2)
        for (const chunksize of [1, 2]) {
          const iterator = ex.map(divide, [1, 1, 1, 1], [2, 3, 0, 5], { chunksize })
          const seen: number[] = []
          const error = await rejection(
            (async () => {
              for (;;) {
                const step = await iterator.next()
                if (step.done === true) break
                seen.push(step.value)
              }
            })(),
          )
          expect(error).toBeInstanceOf(RangeError)
          expect(seen).toEqual(chunksize === 1 ? [0, 0] : [0, 0].slice(0, 2))
          expect(await iterator.next()).toEqual({ value: undefined, done: true })
        }
      })

      it('submits every call at once without buffersize, even when never iterated', { timeout }, async () => {
        const ex = await make(2)
        const record = recorder()
        ex.map(recordTask, Array.from({ length: 10 }, () => record.path), Array.from({ length: 10 }, (_, i) => i))
        await ex.shutdown({ wait: true })
        expect((record.lines() as number[]).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
      })

      it('reads inputs lazily with buffersize, so infinite inputs work', { timeout }, async () => {
        const ex = await make(2)
        let consumed = 0
        function* counting(): Generator<number> {
          for (let i = 0; ; i++) {
            consumed = i + 1
            yield i
          }
        }
        ex.map(identity, counting(), { buffersize: 2 })
        await new Promise((resolve) => setTimeout(resolve, 20))
        expect(consumed).toBe(2)
        const first: unknown[] = []
        for await (const value of ex.map(String, counting(), { buffersize: 2 })) {
          first.push(value)
          if (first.length === 3) break
        }
        expect(first).toEqual(['0', '1', '2'])
        for (const buffersize of [1, 2, 4, 8]) {
          expect(await collect(ex.map(String, [0, 1, 2, 3], { buffersize }))).toEqual(['0', '1', '2', '3'])
          expect(await collect(ex.map(add, [0, 1, 2, 3], [0, 1, 2, 3], { buffersize }))).toEqual([0, 2, 4, 6])
        }
        expect(await collect(ex.map(String, [], { buffersize: 2 }))).toEqual([])
      })

      it('validates chunksize and buffersize when called', { timeout }, async () => {
        const ex = await make(1)
        expect(() => ex.map(identity, [1], { chunksize: 0 })).toThrow(RangeError)
        expect(() => ex.map(identity, [1], { chunksize: 0 })).toThrow('chunksize must be >= 1.')
        expect(() => ex.map(identity, [1], { chunksize: -1 })).toThrow(RangeError)
        expect(() => ex.map(identity, [1], { chunksize: 1.5 })).toThrow(TypeError)
        expect(() => ex.map(identity, [1], { buffersize: 0 })).toThrow('buffersize must be None or > 0')
        expect(() => ex.map(identity, [1], { buffersize: -1 })).toThrow(RangeError)
        expect(() => ex.map(identity, [1], { buffersize: 2.5 })).toThrow('buffersize must be an integer or None')
        expect(() => ex.map(identity, [1], { buffersize: 'foo' as never })).toThrow(TypeError)
        expect(() => ex.map(identity, 42 as never)).toThrow(TypeError)
      })

      it('times out counting from the map() call, cancelling the awaited and the queued calls', { timeout }, async () => {
        const ex = await make(1)
        const gate = latch()
        const record = recorder()
        const first = ex.submit(recordAndWait, record.path, gate.path, 'first')
        await until(() => record.lines().length === 1, 'the first task to start')
        const iterator = ex.map(recordAndWait, [record.path, record.path], [gate.path, gate.path], ['second', 'third'], {
          timeout: 0,
        })
        expect(await rejection(iterator.next())).toBeInstanceOf(TimeoutError)
        expect(await iterator.next()).toEqual({ value: undefined, done: true })
        gate.release()
        expect(await first).toBe('first')
        await ex.shutdown({ wait: true })
        expect(record.lines()).toEqual(['first started', 'first stopped'])
      })

      it('break cancels the calls not yet started', { timeout }, async () => {
        const ex = await make(1)
        const gate = latch()
        const record = recorder()
        const items = ['a', 'b', 'c', 'd', 'e']
        for await (const value of ex.map(
          recordAndWait,
          items.map(() => record.path),
          items.map((item) => (item === 'a' ? tempDir() : gate.path)),
          items,
        )) {
          expect(value).toBe('a')
          break
        }
        gate.release()
        await ex.shutdown({ wait: true })
        const started = record.lines().filter((line) => String(line).endsWith('started'))
        expect(started.length).toBeLessThanOrEqual(2)
        expect(started).not.toContain('c started')
      })
    })

    describe('shutdown', () => {
      it('waits for every queued task by default', { timeout }, async () => {
        const ex = await make(3)
        const fs = Array.from({ length: 20 }, (_, i) => ex.submit(sleepThen, 2, i))
        await ex.shutdown()
        expect(fs.every((f) => f.done() && !f.cancelled())).toBe(true)
        expect(await Promise.all(fs.map((f) => f.result()))).toEqual(Array.from({ length: 20 }, (_, i) => i))
      })

      it('cancelFutures cancels the queued futures only', { timeout }, async () => {
        const ex = await make(2)
        const gate = latch()
        const fs = Array.from({ length: 20 }, (_, i) => ex.submit(waitForLatch, gate.path, i))
        await until(() => fs.filter((f) => f.running()).length === 2, 'two tasks to run')
        const stopping = ex.shutdown({ cancelFutures: true })
        gate.release()
        await stopping
        const cancelled = fs.filter((f) => f.cancelled())
        expect(cancelled.length).toBeGreaterThanOrEqual(10)
        const finished = fs.filter((f) => !f.cancelled())
        expect(finished.length).toBeGreaterThanOrEqual(1)
        for (const f of finished) expect(await f.exception()).toBeUndefined()
        const { done } = await wait(cancelled, { timeout: 5000 })
        expect(done.size).toBe(cancelled.length)
      })

      it('after a finished and a cancelled future, shutdown() returns', { timeout }, async () => {
        const ex = await make(1)
        expect(await ex.submit(pow, 1, 1)).toBe(1)
        const gate = latch()
        const blocker = ex.submit(waitForLatch, gate.path)
        ex.submit(pow, 1, 1).cancel()
        gate.release()
        await ex.shutdown({ wait: true })
        expect(blocker.done()).toBe(true)
      })

      it('wait: false returns at once and the queued work still finishes', { timeout }, async () => {
        const ex = await make(2)
        const gate = latch()
        const fs = Array.from({ length: 6 }, (_, i) => ex.submit(waitForLatch, gate.path, i))
        await ex.shutdown({ wait: false })
        expect(fs.some((f) => f.done())).toBe(false)
        gate.release()
        expect(await Promise.all(fs.map((f) => f.result()))).toEqual([0, 1, 2, 3, 4, 5])
      })

      it('map() then shutdown() at once does not hang', { timeout }, async () => {
        const ex = await make(2)
        const results = ex.map(String, [2, 2, 2])
        await ex.shutdown()
        expect(await collect(results)).toEqual(['2', '2', '2'])
      })

      it('await using shuts down and waits at the end of the block', { timeout }, async () => {
        let f: Future | undefined
        {
          await using ex = await make(2)
          f = ex.submit(sleepThen, 20, 'late')
        }
        expect(f.done()).toBe(true)
        expect(await f).toBe('late')
      })
    })
  })
}
