// map() scenarios D42, D44 and D49 of research/cpython-futures.md §4 on the in-thread executor.
import { describe, expect, it } from 'vitest'
import { AsyncPoolExecutor, Executor, Future, TimeoutError } from '../src/index.js'
import type { Callable, FunctionOf, SubmitOptions } from '../src/index.js'
import { rejection, sleep } from './helpers.js'

describe('map', () => {
  it('D42: a timeout during iteration gives a prefix of the results, then TimeoutError, then the end', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 3 })
    const gate = { open: false }
    const iterator = ex.map(
      async (ms: number) => {
        if (ms === 0) return ms
        while (!gate.open) await sleep(2)
        return ms
      },
      [0, 0, 6000],
      { timeout: 50 },
    )
    const values: number[] = []
    const error = await rejection(
      (async () => {
        for (;;) {
          const step = await iterator.next()
          if (step.done === true) return
          values.push(step.value)
        }
      })(),
    )
    expect(error).toBeInstanceOf(TimeoutError)
    expect([[], [0], [0, 0]]).toContainEqual(values)
    expect(await iterator.next()).toEqual({ value: undefined, done: true })
    gate.open = true
  })

  it('D44: a map iterator that is never advanced cancels nothing', async () => {
    const ran: number[] = []
    const ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    ex.map((i: number) => ran.push(i), [1, 2, 3])
    await ex.shutdown()
    expect(ran).toEqual([1, 2, 3])
  })

  it('D49: with buffersize N, each next() submits one more input before waiting, so at most N+1 are outstanding', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 8 })
    const submitted: number[] = []
    const inputs = (function* () {
      for (let i = 0; i < 10; i++) {
        submitted.push(i)
        yield i
      }
    })()
    const iterator = ex.map(async (i: number) => (await sleep(1), i), inputs, { buffersize: 3 })
    expect(submitted).toEqual([0, 1, 2])
    const first = await iterator.next()
    expect(first.value).toBe(0)
    expect(submitted).toEqual([0, 1, 2, 3])
    const outstanding: number[] = []
    for (;;) {
      const step = await iterator.next()
      if (step.done === true) break
      outstanding.push(submitted.length - 1 - step.value)
    }
    expect(Math.max(...outstanding)).toBeLessThanOrEqual(3)
    expect(submitted).toHaveLength(10)
  })

  it('chunks of zipped inputs: the shortest input wins, even in the middle of a chunk, and every input is closed', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 2 })
    const closed: string[] = []
    const input = (name: string, values: number[]) =>
      (function* () {
        try {
          yield* values
        } finally {
          closed.push(name)
        }
      })()
    const out: number[] = []
    for await (const v of ex.map((a: number, b: number) => a * b, input('a', [1, 2, 3, 4, 5]), input('b', [10, 20, 30]), { chunksize: 2 })) out.push(v)
    expect(out).toEqual([10, 40, 90])
    expect(closed.sort()).toEqual(['a', 'b'])
    const single: number[] = []
    for await (const v of ex.map((a: number) => -a, [1, 2, 3, 4, 5], { chunksize: 2 })) single.push(v)
    expect(single).toEqual([-1, -2, -3, -4, -5])
  })

  it('chunks count against buffersize, and an error fails its whole chunk', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 2 })
    const consumed: number[] = []
    const inputs = (function* () {
      for (let i = 0; ; i++) {
        consumed.push(i)
        yield i
      }
    })()
    const iterator = ex.map((x: number) => x, inputs, { chunksize: 4, buffersize: 2 })
    expect(consumed).toHaveLength(8)
    expect((await iterator.next()).value).toBe(0)
    await iterator.return?.()
    const values: number[] = []
    const error = await rejection(
      (async () => {
        for await (const v of ex.map((x: number) => {
          if (x === 5) throw new RangeError('five')
          return x
        }, [0, 1, 2, 3, 4, 5, 6, 7], { chunksize: 4 })) values.push(v)
      })(),
    )
    expect(values).toEqual([0, 1, 2, 3])
    expect((error as Error).message).toBe('five')
  })

  it('next() calls made without waiting for each other still get the values in order', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 3 })
    for (const chunksize of [1, 3]) {
      const iterator = ex.map(async (x: number) => (await sleep(10 - x), x), [0, 1, 2, 3, 4, 5, 6], { chunksize })
      const steps = await Promise.all(Array.from({ length: 9 }, () => iterator.next()))
      expect(steps.map((step): unknown => step.value)).toEqual([0, 1, 2, 3, 4, 5, 6, undefined, undefined])
      expect(steps.map((step) => step.done)).toEqual([false, false, false, false, false, false, false, true, true])
    }
  })

  it('return() while a next() is waiting: the awaited call is cancelled and the pending next() is done', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    let release!: () => void
    const blocker = ex.submit(() => new Promise<void>((resolve) => (release = resolve)))
    const ran: number[] = []
    const iterator = ex.map((x: number) => ran.push(x), [1, 2, 3])
    const pending = iterator.next()
    await iterator.return?.()
    release()
    await blocker
    expect(await pending).toEqual({ value: undefined, done: true })
    expect(await iterator.next()).toEqual({ value: undefined, done: true })
    await ex.shutdown()
    expect(ran).toEqual([])
  })

  it('an array input read in chunks gives what iterating it gives: holes, a patched iterator, growth before the end', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 2 })
    const collect = async (iterator: AsyncIterable<unknown>): Promise<unknown[]> => {
      const out: unknown[] = []
      for await (const v of iterator) out.push(v)
      return out
    }
    // a hole is read as undefined, as the array's iterator gives it
    // eslint-disable-next-line no-sparse-arrays -- the hole is the point
    expect(await collect(ex.map((x: unknown) => x ?? 'hole', [1, , 3], { chunksize: 2 }))).toEqual([1, 'hole', 3])
    // an array whose own iterator is replaced is iterated through it
    const patched = [1, 2, 3]
    Object.defineProperty(patched, Symbol.iterator, {
      value: function* () {
        yield 10
        yield 20
      },
    })
    expect(await collect(ex.map((x: number) => x + 1, patched, { chunksize: 2 }))).toEqual([11, 21])
    // an Array subclass is iterated too: map() makes none of its instances
    let made = 0
    class Counted extends Array<number> {
      constructor(...values: number[]) {
        super(...values)
        made++
      }
    }
    const counted = new Counted(1, 2, 3)
    made = 0
    expect(await collect(ex.map((x: number) => x * 2, counted, { chunksize: 2 }))).toEqual([2, 4, 6])
    expect(made).toBe(0)
    // values added before the reading got there are read, as the iterator would read them
    const growing = [1, 2, 3]
    const iterator = ex.map((x: number) => x * 10, growing, { chunksize: 2, buffersize: 1 })
    growing.push(4, 5)
    expect(await collect(iterator)).toEqual([10, 20, 30, 40, 50])
    // and once the end was reached, later values are not (nor are they by the iterator)
    const ended = [1]
    const short = ex.map((x: number) => x, ended, { chunksize: 2, buffersize: 1 })
    ended.push(2)
    expect(await collect(short)).toEqual([1])
  })

  it('an array input read in chunks: numbers (-0, NaN), a value that is not one mid-chunk, a hole after numbers, each value read once', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 2 })
    const collect = async (iterator: AsyncIterable<unknown>): Promise<unknown[]> => {
      const out: unknown[] = []
      for await (const v of iterator) out.push(v)
      return out
    }
    const numbers = await collect(ex.map((x: number) => x, [1, -0, Number.NaN, 0.5, 2 ** 53], { chunksize: 4 }))
    expect(numbers).toEqual([1, -0, Number.NaN, 0.5, 2 ** 53])
    expect(Object.is(numbers[1], -0)).toBe(true)
    // a string after numbers, in the middle of a chunk: every call gets its own value
    expect(await collect(ex.map((x: unknown) => typeof x, [1, 2, 'three', 4, { five: 5 }, 6], { chunksize: 6 }))).toEqual([
      'number',
      'number',
      'string',
      'number',
      'object',
      'number',
    ])
    // eslint-disable-next-line no-sparse-arrays -- a hole after numbers reads as undefined
    expect(await collect(ex.map((x: unknown) => x ?? 'hole', [1, 2, , 4], { chunksize: 4 }))).toEqual([1, 2, 'hole', 4])
    // an element with a getter is read once, as iterating the array reads it
    let reads = 0
    const watched = [1, 2, 3, 4]
    Object.defineProperty(watched, 2, {
      get: () => {
        reads++
        return 'x'
      },
      enumerable: true,
    })
    expect(await collect(ex.map((x: unknown) => x, watched, { chunksize: 4 }))).toEqual([1, 2, 'x', 4])
    expect(reads).toBe(1)
    const first = [0, 1]
    let firstReads = 0
    Object.defineProperty(first, 0, {
      get: () => {
        firstReads++
        return 'y'
      },
      enumerable: true,
    })
    expect(await collect(ex.map((x: unknown) => x, first, { chunksize: 2 }))).toEqual(['y', 1])
    expect(firstReads).toBe(1)
  })

  it('an array input in chunks: results in order, break cancels the chunks not started', async () => {
    const ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    const items = Array.from({ length: 1000 }, (_, i) => i)
    const out: number[] = []
    for await (const v of ex.map((x: number) => x * x, items, { chunksize: 7 })) out.push(v)
    expect(out).toEqual(items.map((x) => x * x))
    const ran: number[] = []
    for await (const v of ex.map(async (x: number) => (await sleep(1), ran.push(x), x), items, { chunksize: 10 })) {
      if (v === 0) break
    }
    await ex.shutdown()
    // the chunk being awaited had started; every later one was cancelled before it could start
    expect(ran.length).toBeGreaterThan(0)
    expect(ran.length).toBeLessThanOrEqual(20)
    expect(ran).toEqual(items.slice(0, ran.length))
  })

  it('reads chunk results that arrive array-like (a Float64Array, as a pool packs numbers), in order', async () => {
    const ex = new PackedChunks()
    const items = Array.from({ length: 25 }, (_, i) => i - 3)
    const out: number[] = []
    for await (const v of ex.map((x: number) => (x === 0 ? -0 : x === 5 ? Number.NaN : x / 2), items, { chunksize: 4 })) out.push(v)
    expect(out).toEqual(items.map((x) => (x === 0 ? -0 : x === 5 ? Number.NaN : x / 2)))
    expect(Object.is(out[3], -0)).toBe(true)
    expect(ex.chunks).toBe(7)
  })
})

describe('map and the event loop', () => {
  it("lets the event loop turn while a consumer takes results that are all there (a pool's I/O waits for it)", async () => {
    const ex = new PackedChunks()
    // every chunk is done before the iteration starts: without a turn, the loop would only run after it
    const iterator = ex.map((x: number) => x * 2, Array.from({ length: 40 }, (_, i) => i), { chunksize: 2 })
    const loop = { turned: false }
    setImmediate(() => {
      loop.turned = true
    })
    const seen: number[] = []
    let turnedWhileIterating = false
    for await (const value of iterator) {
      seen.push(value)
      if (loop.turned && seen.length < 40) turnedWhileIterating = true
      // a consumer that takes a while over each value (longer than the map lets the loop wait)
      const until = performance.now() + 0.2
      while (performance.now() < until);
    }
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i * 2))
    expect(turnedWhileIterating).toBe(true)
  })
})

/** A backend that runs each chunk at once and hands back its results packed, as the pools do. */
class PackedChunks extends Executor {
  chunks = 0

  constructor() {
    super({ kind: 'packed', maxWorkers: 1 })
  }

  submitWith<C extends Callable>(_options: SubmitOptions, fn: C, ...args: Parameters<FunctionOf<C>>): Future<Awaited<ReturnType<FunctionOf<C>>>> {
    const future = new Future<Awaited<ReturnType<FunctionOf<C>>>>()
    future.setRunningOrNotifyCancel()
    future.setResult((fn as (...a: unknown[]) => Awaited<ReturnType<FunctionOf<C>>>)(...args))
    return future
  }

  protected override submitColumns(fn: Callable, count: number, columns: unknown[][]): Future<ArrayLike<unknown>> {
    this.chunks++
    const results = new Float64Array(count)
    for (let i = 0; i < count; i++) results[i] = (fn as (...a: unknown[]) => number)(...columns.map((column) => column[i]))
    const future = new Future<ArrayLike<unknown>>()
    future.setRunningOrNotifyCancel()
    future.setResult(results)
    return future
  }

  shutdown(): Promise<void> {
    return Promise.resolve()
  }
}
