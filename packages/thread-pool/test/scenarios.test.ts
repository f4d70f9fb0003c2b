// Sections D (submit/map) and E (shutdown and lifecycle) of cpython-futures.md §4, one test each.
import { CancelledError, TimeoutError, wait } from '@x/future'
import { ThreadPoolExecutor } from '@x/thread-pool'
import { describe, expect, it } from 'vitest'
import { fixture, rejection, track, until } from './helpers.js'

const record = (sab: SharedArrayBuffer, i: number): number => {
  Atomics.add(new Int32Array(sab), 0, 1)
  return i
}
const divide = (a: number, b: number): number => {
  if (b === 0) throw new RangeError('division by zero')
  return Math.trunc(a / b)
}
const sleep = async (ms: number): Promise<number> => {
  await new Promise((resolve) => setTimeout(resolve, ms))
  return ms
}
const gated = (sab: SharedArrayBuffer, id: string): string => {
  const words = new Int32Array(sab)
  Atomics.add(words, 1, 1)
  while (Atomics.load(words, 0) === 0) Atomics.wait(words, 0, 0, 20)
  return id
}

async function collect<T>(iterator: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const value of iterator) out.push(value)
  return out
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i)

describe('D. submit and map', () => {
  it('36: submit(pow, 2, 8) is 256', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 2 }))
    expect(await pool.submit(fixture('pow'), 2, 8)).toBe(256)
  })

  it('37: a throwing task rejects with its error and the pool stays usable', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 2 }))
    const error = (await rejection(pool.submit(() => {
      throw new Error('x')
    }))) as Error
    expect(error).toBeInstanceOf(Error)
    expect(error.message).toBe('x')
    expect(await pool.submit(fixture('square'), 7)).toBe(49)
  })

  it('38: map(pow, range(10), range(10)) in input order, also with chunksize 3', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 3 }))
    const expected = range(10).map((x) => x ** x)
    expect(await collect(pool.map(fixture('pow'), range(10), range(10)))).toEqual(expected)
    expect(await collect(pool.map(fixture('pow'), range(10), range(10), { chunksize: 3 }))).toEqual(expected)
  })

  it('39: zip semantics; map with no iterables is empty', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 2 }))
    expect(await collect(pool.map((a: number, b: number) => a + b, [1, 2, 3], [10, 20, 30, 40, 50]))).toEqual([11, 22, 33])
    const mapAny = (fn: unknown): AsyncIterable<unknown> => (pool as unknown as { map: (f: unknown) => AsyncIterable<unknown> }).map(fn)
    expect(await collect(mapAny(fixture('pow')))).toEqual([])
  })

  it('40: map is eager: never iterated, shutdown(wait) still runs all 10', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 2 }))
    const sab = new SharedArrayBuffer(4)
    pool.map(record, range(10).map(() => sab), range(10))
    await pool.shutdown({ wait: true })
    expect(new Int32Array(sab)[0]).toBe(10)
  })

  it('41: an error mid-iteration throws after the earlier values, then the iterator is done', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 2 }))
    const iterator = pool.map(divide, [1, 1, 1, 1], [2, 3, 0, 5])
    expect(await iterator.next()).toEqual({ value: 0, done: false })
    expect(await iterator.next()).toEqual({ value: 0, done: false })
    expect(await rejection(iterator.next())).toBeInstanceOf(RangeError)
    expect(await iterator.next()).toEqual({ value: undefined, done: true })
  })

  it('42: the timeout counts from the map() call; the values first obtained are a prefix', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 2 }))
    const sab = new SharedArrayBuffer(8)
    const iterator = pool.map(
      (ms: number, gate: SharedArrayBuffer) => {
        if (ms === 0) return 0
        const words = new Int32Array(gate)
        while (Atomics.load(words, 0) === 0) Atomics.wait(words, 0, 0, 20)
        return ms
      },
      [0, 0, 1],
      [sab, sab, sab],
      { timeout: 200 },
    )
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
    expect(error).toBeInstanceOf(TimeoutError)
    expect([0, 0].slice(0, seen.length)).toEqual(seen)
    expect(await iterator.next()).toEqual({ value: undefined, done: true })
    Atomics.store(new Int32Array(sab), 0, 1)
  })

  it('43: on timeout the awaited and queued calls are cancelled: they never start', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    const sab = new SharedArrayBuffer(8)
    const words = new Int32Array(sab)
    const first = pool.submit(gated, sab, 'first')
    await until(() => Atomics.load(words, 1) === 1, 'first to start')
    const iterator = pool.map(gated, [sab, sab], ['second', 'third'], { timeout: 0 })
    expect(await rejection(iterator.next())).toBeInstanceOf(TimeoutError)
    await iterator.return?.()
    Atomics.store(words, 0, 1)
    expect(await first).toBe('first')
    await pool.shutdown()
    expect(Atomics.load(words, 1)).toBe(1)
  })

  it('44: closing a started iterator cancels calls not yet started; a never-advanced one cancels nothing', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    const sab = new SharedArrayBuffer(32)
    const words = new Int32Array(sab)
    const gatedAt = (gate: SharedArrayBuffer, index: number): number => {
      const w = new Int32Array(gate)
      Atomics.add(w, 0, 1)
      while (Atomics.load(w, 1 + index) === 0) Atomics.wait(w, 1 + index, 0, 20)
      return index
    }
    const started = pool.map(gatedAt, [sab, sab, sab, sab], [0, 1, 2, 3])
    Atomics.store(words, 1, 1)
    expect(await started.next()).toEqual({ value: 0, done: false })
    await started.return?.()
    for (let i = 1; i <= 4; i++) Atomics.store(words, i, 1)
    await pool.shutdown()
    expect(Atomics.load(words, 0)).toBeLessThanOrEqual(2)

    const other = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    const counter = new SharedArrayBuffer(4)
    other.map(record, range(5).map(() => counter), range(5))
    await other.shutdown()
    expect(new Int32Array(counter)[0]).toBe(5)
  })

  it('45: buffersize is validated when map() is called', () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    expect(() => pool.map(String, [1], { buffersize: 'foo' as never })).toThrow('buffersize must be an integer or None')
    expect(() => pool.map(String, [1], { buffersize: 2.5 })).toThrow(TypeError)
    expect(() => pool.map(String, [1], { buffersize: 0 })).toThrow('buffersize must be None or > 0')
    expect(() => pool.map(String, [1], { buffersize: -1 })).toThrow(RangeError)
  })

  it('46/47: with buffersize inputs are read lazily; infinite inputs work', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 2 }))
    let consumed = 0
    function* count(): Generator<number> {
      for (let i = 0; ; i++) {
        consumed = i + 1
        yield i
      }
    }
    pool.map(String, count(), { buffersize: 2 })
    await pool.shutdown({ wait: true })
    expect(consumed).toBe(2)
    const again = track(new ThreadPoolExecutor({ maxWorkers: 2 }))
    const strings: string[] = []
    for await (const s of again.map(String, count(), { buffersize: 2 })) {
      strings.push(s)
      if (strings.length === 3) break
    }
    expect(strings).toEqual(['0', '1', '2'])
    const sums: number[] = []
    for await (const s of again.map((a: number, b: number) => a + b, count(), count(), { buffersize: 2 })) {
      sums.push(s)
      if (sums.length === 3) break
    }
    expect(sums).toEqual([0, 2, 4])
  })

  it('48: buffersize 1, 2, 4, 8 over range(4); empty input is empty', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 2 }))
    for (const buffersize of [1, 2, 4, 8]) {
      expect(await collect(pool.map(String, range(4), { buffersize }))).toEqual(['0', '1', '2', '3'])
    }
    expect(await collect(pool.map(String, [], { buffersize: 2 }))).toEqual([])
  })

  it('49: with buffersize N, each next() reads one more input: at most N+1 outstanding', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 2 }))
    let consumed = 0
    function* inputs(): Generator<number> {
      for (let i = 0; i < 20; i++) {
        consumed = i + 1
        yield i
      }
    }
    let taken = 0
    for await (const value of pool.map((x: number) => x, inputs(), { buffersize: 3 })) {
      taken++
      expect(value).toBe(taken - 1)
      expect(consumed).toBeLessThanOrEqual(Math.min(20, 3 + taken))
    }
    expect(taken).toBe(20)
  })

  it('50: chunksize 6, 40 or 50 over 40 items matches; chunksize 0 or -1 is a RangeError', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 2 }))
    const expected = range(40).map((x) => x * x)
    for (const chunksize of [6, 40, 50]) {
      expect(await collect(pool.map(fixture('square'), range(40), { chunksize }))).toEqual(expected)
    }
    expect(() => pool.map(fixture('square'), range(4), { chunksize: 0 })).toThrow('chunksize must be >= 1.')
    expect(() => pool.map(fixture('square'), range(4), { chunksize: -1 })).toThrow(RangeError)
  })
})

describe('map chunks in the worker', () => {
  it('passes array items as one argument, awaits async calls, and fails the chunk on an error', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 2 }))
    const pairs = range(10).map((i) => [i, i + 1])
    expect(await collect(pool.map((pair: number[]) => pair.length, pairs, { chunksize: 4 }))).toEqual(range(10).map(() => 2))
    expect(await collect(pool.map((a: number, b: number) => a * b, range(10), range(10), { chunksize: 4 }))).toEqual(
      range(10).map((i) => i * i),
    )
    const slow = async (x: number): Promise<number> => {
      if (x % 3 === 0) await new Promise((resolve) => setTimeout(resolve, 1))
      return x + 1
    }
    expect(await collect(pool.map(slow, range(20), { chunksize: 7 }))).toEqual(range(20).map((x) => x + 1))
    const iterator = pool.map(divide, [4, 4, 4, 4], [1, 2, 0, 4], { chunksize: 2 })
    expect(await iterator.next()).toEqual({ value: 4, done: false })
    expect(await iterator.next()).toEqual({ value: 2, done: false })
    expect(await rejection(iterator.next())).toBeInstanceOf(RangeError)
  })
})

describe('E. shutdown and lifecycle', () => {
  it('51: submit after shutdown throws; a second shutdown is harmless', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    await pool.shutdown()
    expect(() => pool.submit(fixture('pow'), 1, 1)).toThrow('cannot schedule new futures after shutdown')
    await pool.shutdown()
  })

  it('52: shutdown() waits for 50 queued tasks; none is cancelled', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 5 }))
    const fs = range(50).map(() => pool.submit(sleep, 10))
    await pool.shutdown()
    expect(fs.every((f) => f.done() && !f.cancelled())).toBe(true)
    expect(await Promise.all(fs)).toEqual(range(50).map(() => 10))
  })

  it('53: shutdown({ cancelFutures }) cancels what has not started, even when handed to a worker', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 5 }))
    const fs = range(50).map(() => pool.submit(sleep, 100))
    await until(() => fs.filter((f) => f.running()).length >= 1, 'a task to start')
    await pool.shutdown({ cancelFutures: true })
    const cancelled = fs.filter((f) => f.cancelled())
    expect(cancelled.length).toBeGreaterThan(20)
    const others = fs.filter((f) => !f.cancelled())
    expect(others.length).toBeGreaterThanOrEqual(1)
    for (const f of others) expect(await f.exception()).toBeUndefined()
    for (const f of cancelled) expect(await rejection(f)).toBeInstanceOf(CancelledError)
    const { done } = await wait(cancelled, { timeout: 1000 })
    expect(done.size).toBe(cancelled.length)
  })

  it('54: one worker: a result, a cancelled future, then shutdown(wait) returns', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    expect(await pool.submit(Number, '1')).toBe(1)
    pool.submit(Number, '2').cancel()
    await pool.shutdown({ wait: true })
    expect(pool.workerCount).toBe(0)
  })

  it('55: shutdown({ wait: false }) returns at once; queued work finishes; the workers exit by themselves', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 2 }))
    const fs = range(6).map((i) => pool.submit(sleep, 20 + i))
    await pool.shutdown({ wait: false })
    expect(fs.some((f) => f.done())).toBe(false)
    expect(await Promise.all(fs)).toEqual(range(6).map((i) => 20 + i))
    await until(() => pool.workerCount === 0, 'the workers to exit')
  })

  it('56: await using waits for the tasks; an error in the block propagates after they finished', async () => {
    let f: PromiseLike<number> & { done(): boolean } = undefined as never
    const error = await rejection(
      (async () => {
        await using pool = new ThreadPoolExecutor({ maxWorkers: 2 })
        f = pool.submit(sleep, 30)
        throw new Error('inside the block')
      })(),
    )
    expect((error as Error).message).toBe('inside the block')
    expect(f.done()).toBe(true)
    expect(await f).toBe(30)
  })

  it('57: map(String, [2] * (workers + 1)) then shutdown() does not hang', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 2 }))
    const results = pool.map(String, [2, 2, 2])
    await pool.shutdown()
    expect(await collect(results)).toEqual(['2', '2', '2'])
  })

  it('no worker thread, timer or port outlives shutdown()', async () => {
    const before = resourceCounts()
    const pool = new ThreadPoolExecutor({ maxWorkers: 3, abortGracePeriod: 10_000 })
    const controller = new AbortController()
    const fs = range(30).map((i) => pool.submit(fixture('square'), i))
    const aborted = pool.submitWith({ signal: controller.signal }, sleep, 50)
    await until(() => aborted.running(), 'the abortable task to run')
    controller.abort()
    await pool.shutdown()
    await Promise.allSettled([...fs, aborted])
    expect(pool.workerCount).toBe(0)
    const after = resourceCounts()
    for (const kind of Object.keys(after)) expect({ kind, count: after[kind] }).toEqual({ kind, count: Math.min(after[kind] ?? 0, before[kind] ?? 0) })
  })
})

function resourceCounts(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const kind of process.getActiveResourcesInfo()) {
    if (kind === 'Timeout' || kind === 'Immediate' || kind === 'MessagePort' || kind === 'Worker') {
      counts[kind] = (counts[kind] ?? 0) + 1
    }
  }
  return counts
}
