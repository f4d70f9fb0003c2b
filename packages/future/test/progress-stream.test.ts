// Progress (currentTask().progress / future.onProgress) and streams (AsyncPoolExecutor.stream):
// on AsyncPoolExecutor only for now (the pools get them over the new engine's protocol).
import { describe, expect, it } from 'vitest'
import { AsyncPoolExecutor, Future, currentTask, task } from '../src/index.js'
import type { TaskContext } from '../src/index.js'
import { gate, rejection, sleep } from './helpers.js'

/** Collects warnings of one type while `run` runs. */
async function warningsDuring(run: () => Promise<void>): Promise<Error[]> {
  const seen: Error[] = []
  const onWarning = (warning: Error): void => {
    if (warning.name === 'FutureCallbackWarning') seen.push(warning)
  }
  process.on('warning', onWarning)
  try {
    await run()
    await sleep(5)
  } finally {
    process.off('warning', onWarning)
  }
  return seen
}

describe('progress', () => {
  it('delivers reports to listeners, coalesced (a tight loop is one delivery), and the last report before the result', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    const open = gate()
    const seen: unknown[] = []
    const f = ex.submit(async () => {
      const task = currentTask()
      for (let i = 1; i <= 10_000; i++) task?.progress?.(i)
      await open.promise
      task?.progress?.({ phase: 'last' })
      return 'done'
    })
    const unsubscribe = f.onProgress((value) => seen.push(value))
    expect(typeof unsubscribe).toBe('function')
    await sleep(10)
    expect(seen).toEqual([10_000])
    open.open()
    expect(await f).toBe('done')
    expect(seen).toEqual([10_000, { phase: 'last' }])
  })

  it('never calls a listener after the future is done, nor after it unsubscribed; a call after the task ended is ignored', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    let context: TaskContext | undefined
    const f = ex.submit(() => {
      context = currentTask()
      return 1
    })
    const seen: unknown[] = []
    f.onProgress((value) => seen.push(value))
    await f
    context?.progress?.('late')
    await sleep(5)
    expect(seen).toEqual([])
    // subscribing to a done future: never called
    const unsubscribe = f.onProgress(() => {
      throw new Error('never')
    })
    unsubscribe()

    const open = gate()
    const g = ex.submit(async () => {
      currentTask()?.progress?.(1)
      await open.promise
    })
    const stop = g.onProgress((value) => seen.push(value))
    stop()
    stop() // harmless
    open.open()
    await g
    expect(seen).toEqual([])
  })

  it('a throwing listener is reported as a FutureCallbackWarning and does not stop the others', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    const seen: unknown[] = []
    const warnings = await warningsDuring(async () => {
      const f = ex.submit(async () => {
        currentTask()?.progress?.('half')
        await sleep(5)
        return 'ok'
      })
      f.onProgress(() => {
        throw new RangeError('listener broke')
      })
      f.onProgress((value) => seen.push(value))
      expect(await f).toBe('ok')
    })
    expect(seen).toEqual(['half'])
    expect(warnings).toHaveLength(1)
    expect(warnings[0]?.message).toContain('exception calling progress listener for <Future')
    expect(warnings[0]?.message).toContain('RangeError: listener broke')
  })

  it('reaches a call that waited on dependencies, and refuses a listener that is not a function', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    const first = ex.submit(() => 2)
    const seen: unknown[] = []
    const second = ex.submit(async (x: number) => {
      currentTask()?.progress?.(x)
      await sleep(5)
      return x * 2
    }, first)
    second.onProgress((value) => seen.push(value))
    expect(await second).toBe(4)
    expect(seen).toEqual([2])
    expect(() => new Future().onProgress('no' as never)).toThrow(TypeError)
  })
})

describe('AsyncPoolExecutor.stream()', () => {
  it('yields what the generator yields, in order, sync and async generators alike', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 2 })
    const values: number[] = []
    for await (const value of ex.stream(function* (n: number) {
      for (let i = 0; i < n; i++) yield i
    }, 5)) values.push(value)
    expect(values).toEqual([0, 1, 2, 3, 4])
    const words: string[] = []
    for await (const word of ex.stream(async function* (text: string) {
      for (const w of text.split(' ')) {
        await sleep(1)
        yield w
      }
    }, 'a b c', { highWaterMark: 1 })) words.push(word)
    expect(words).toEqual(['a', 'b', 'c'])
  })

  it('streams from a task(url, name) handle to a generator, and refuses a handle to a plain function', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    const url = new URL('./fixtures/tasks.mjs', import.meta.url)
    const letters: string[] = []
    for await (const letter of ex.stream(task<(word: string) => AsyncGenerator<string>>(url, 'letters'), 'abc')) letters.push(letter)
    expect(letters).toEqual(['a', 'b', 'c'])
    const plain = ex.stream(task<(text: string) => Generator<string>>(url, 'shout'), 'x')
    expect(String(await rejection(plain.next()))).toMatch(/must be a generator function/)
  })

  it("a stream from a task handle stopped while its module still loads ends, and never starts the generator", async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    const importing = gate()
    const release = gate()
    const hook = { importing: () => { importing.open() }, released: release.promise, started: false }
    Object.assign(globalThis, { __xSlowImport: hook })
    try {
      const controller = new AbortController()
      const url = new URL('./fixtures/slow-import.mjs', import.meta.url)
      const values: number[] = []
      const consumed = (async () => {
        for await (const value of ex.stream(task<() => AsyncGenerator<number>>(url, 'recordStart'), { signal: controller.signal })) values.push(value)
      })()
      await importing.promise
      controller.abort(new Error('stop'))
      release.open()
      await consumed // an aborted stream ends as return() ends it
      // the pool's one slot runs this only once the stream's task has ended
      expect(await ex.submit(() => 'next')).toBe('next')
      expect(values).toEqual([])
      expect(hook.started).toBe(false)
    } finally {
      release.open()
      Reflect.deleteProperty(globalThis, '__xSlowImport')
    }
  })

  it('pauses the generator at highWaterMark unconsumed values', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    let produced = 0
    const stream = ex.stream(function* () {
      for (let i = 0; i < 100; i++) {
        produced++
        yield i
      }
    }, { highWaterMark: 4 })
    expect((await stream.next()).value).toBe(0)
    await sleep(10)
    // the one taken, 4 waiting, and the one whose yield is paused
    expect(produced).toBeLessThanOrEqual(6)
    let last = 0
    for await (const value of stream) last = value
    expect(last).toBe(99)
    expect(produced).toBe(100)
  })

  it('break aborts the task through its signal and closes the generator; the pool is free again', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    let closed = false
    let aborted = false
    const stream = ex.stream(async function* () {
      const signal = currentTask()?.signal
      signal?.addEventListener('abort', () => (aborted = true))
      try {
        for (let i = 0; ; i++) {
          yield i
          await sleep(1)
        }
      } finally {
        closed = true
      }
    }, { highWaterMark: 2 })
    for await (const value of stream) if (value === 3) break
    expect(await ex.submit(() => 'free')).toBe('free')
    expect(aborted).toBe(true)
    expect(closed).toBe(true)
    expect(ex.stats().running).toBe(0)
  })

  it("the generator's error reaches the consumer with its class and properties, after the values before it", async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    const values: number[] = []
    const stream = ex.stream(function* () {
      yield 1
      yield 2
      throw Object.assign(new RangeError('row 3 is bad'), { code: 'E_ROW', row: 3 })
    })
    const error = (await rejection(
      (async () => {
        for await (const value of stream) values.push(value)
      })(),
    )) as RangeError & { code: string; row: number }
    expect(values).toEqual([1, 2])
    expect(error).toBeInstanceOf(RangeError)
    expect([error.message, error.code, error.row]).toEqual(['row 3 is bad', 'E_ROW', 3])
    expect(await stream.next()).toEqual({ value: undefined, done: true })
  })

  it('a stream abandoned before it started cancels its task; an options signal ends it; bad input is refused', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    const open = gate()
    const blocker = ex.submit(() => open.promise)
    let started = false
    const stream = ex.stream(function* () {
      started = true
      yield 1
    })
    await stream.return?.()
    open.open()
    await blocker
    await ex.submit(() => undefined)
    expect(started).toBe(false)
    expect(ex.stats().cancelled).toBe(1)

    const controller = new AbortController()
    const ticking = ex.stream(async function* () {
      for (let i = 0; ; i++) {
        yield i
        await sleep(1)
      }
    }, { signal: controller.signal })
    expect((await ticking.next()).value).toBe(0)
    controller.abort()
    expect(await ticking.next()).toEqual({ value: undefined, done: true })

    expect(() => ex.stream(function* () {
      yield 1
    }, { highWaterMark: 0 })).toThrow(RangeError)
    const untyped = ex.stream.bind(ex) as (...args: unknown[]) => AsyncIterableIterator<unknown>
    expect(() => untyped('nope')).toThrow(TypeError)
    const notGenerator = untyped(() => 42)
    expect(String(await rejection(notGenerator.next()))).toMatch(/must be a generator function/)
  })
})
