// maxQueue, onRoom() and stats(): the edge cases (the conformance suite has the contract).
import { describe, expect, it } from 'vitest'
import { AsyncPoolExecutor, Executor, Future, QueueFullError, ShutdownError, TimeoutError } from '../src/index.js'
import type { Callable, FunctionOf, SubmitOptions } from '../src/index.js'
import { gate, rejection, sleep } from './helpers.js'

describe('maxQueue', () => {
  it('is validated by the constructor, naming the option and the executor', () => {
    expect(() => new AsyncPoolExecutor({ maxQueue: -1 })).toThrow(RangeError)
    expect(() => new AsyncPoolExecutor({ maxQueue: -1 })).toThrow('AsyncPoolExecutor: maxQueue must be an integer >= 0 or Infinity')
    expect(() => new AsyncPoolExecutor({ maxQueue: 2.5 })).toThrow(RangeError)
    expect(() => new AsyncPoolExecutor({ maxQueue: Number.NaN })).toThrow(TypeError)
    expect(() => new AsyncPoolExecutor({ maxQueue: '10' as never })).toThrow(TypeError)
    expect(new AsyncPoolExecutor({ maxQueue: Infinity }).maxQueue).toBe(Infinity)
    expect(new AsyncPoolExecutor({ maxQueue: 0 }).maxQueue).toBe(0)
  })

  it('after shutdown, a full executor throws ShutdownError, not QueueFullError', async () => {
    const ex = new AsyncPoolExecutor({ maxWorkers: 1, maxQueue: 0 })
    const open = gate()
    const running = ex.submit(() => open.promise)
    expect(() => ex.submit(() => 1)).toThrow(QueueFullError)
    const stopping = ex.shutdown()
    expect(() => ex.submit(() => 1)).toThrow(ShutdownError)
    open.open()
    await running
    await stopping
  })

  it('wakes every onRoom() waiter in the order they waited', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 1, maxQueue: 0 })
    const open = gate()
    const blocker = ex.submit(() => open.promise)
    const order: string[] = []
    const waits = ['a', 'b', 'c'].map((name) => ex.onRoom().then(() => order.push(name)))
    await sleep(5)
    expect(order).toEqual([])
    open.open()
    await blocker
    await Promise.all(waits)
    expect(order).toEqual(['a', 'b', 'c'])
  })

  it('raising maxQueue at run time wakes onRoom() waiters', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 1, maxQueue: 0 })
    const open = gate()
    ex.submit(() => open.promise)
    let woken = false
    const room = ex.onRoom().then(() => (woken = true))
    await sleep(5)
    expect(woken).toBe(false)
    ex.maxQueue = 1
    await room
    expect(woken).toBe(true)
    open.open()
  })

  it('map() with buffersize: a timeout while waiting for room is a TimeoutError, and the map ends', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 1, maxQueue: 0 })
    const open = gate()
    const blocker = ex.submit(() => open.promise) // someone else holds the only slot
    const results = ex.map((x: number) => x, [1, 2, 3], { buffersize: 2, timeout: 30 })
    expect(await rejection(results.next())).toBeInstanceOf(TimeoutError)
    expect(await results.next()).toEqual({ value: undefined, done: true })
    open.open()
    await blocker
  })

  it('map() with buffersize: return() while it waits for room ends it, and nothing of it runs', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 1, maxQueue: 0 })
    const open = gate()
    ex.submit(() => open.promise)
    const ran: number[] = []
    const results = ex.map((x: number) => ran.push(x), [1, 2, 3], { buffersize: 2 })
    const pending = results.next()
    await sleep(5)
    await results.return?.()
    open.open()
    expect(await pending).toEqual({ value: undefined, done: true })
    await sleep(5)
    expect(ran).toEqual([])
  })

  it('map() with buffersize shares the queue with other submitters and never throws', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 2, maxQueue: 1 })
    const inputs = Array.from({ length: 50 }, (_, i) => i)
    const other = (async () => {
      let done = 0
      for (let i = 0; i < 20; i++) {
        await ex.onRoom()
        try {
          await ex.submit(async () => sleep(1))
          done++
        } catch (error) {
          if (!(error instanceof QueueFullError)) throw error
        }
      }
      return done
    })()
    const squares: number[] = []
    for await (const square of ex.map(async (x: number) => (await sleep(1), x * x), inputs, { buffersize: 4 })) squares.push(square)
    expect(squares).toEqual(inputs.map((x) => x * x))
    expect(await other).toBeGreaterThan(0)
  })
})

/** A backend that finishes some calls inside submitWith() (before the base class sees the future). */
class EagerExecutor extends Executor {
  constructor() {
    super({ kind: 'eager', maxWorkers: 1 })
  }

  submitWith<C extends Callable>(_options: SubmitOptions, fn: C, ...args: Parameters<FunctionOf<C>>): Future<Awaited<ReturnType<FunctionOf<C>>>> {
    const future = new Future<Awaited<ReturnType<FunctionOf<C>>>>()
    future.setRunningOrNotifyCancel()
    try {
      future.setResult((fn as (...a: unknown[]) => Awaited<ReturnType<FunctionOf<C>>>)(...args))
    } catch (error) {
      future.setException(error)
    }
    return future
  }

  shutdown(): Promise<void> {
    return Promise.resolve()
  }
}

describe('stats()', () => {
  it('counts calls a backend finished inside submitWith()', () => {
    const ex = new EagerExecutor()
    ex.submit((a: number) => a + 1, 1)
    ex.submit(() => {
      throw new Error('no')
    })
    expect(ex.stats()).toMatchObject({ completed: 1, failed: 1, running: 0, queued: 0, workers: 0 })
  })

  it('counts a chunk once, even when the backend submits it through submit()', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 1, maxQueue: 0 })
    // AsyncPoolExecutor's chunks go through submit(): one chunk, one slot, no QueueFullError
    const results: number[] = []
    for await (const r of ex.map((x: number) => x + 1, [1, 2, 3, 4], { chunksize: 4, buffersize: 1 })) results.push(r)
    expect(results).toEqual([2, 3, 4, 5])
    expect(ex.stats()).toMatchObject({ completed: 1, queued: 0 })
  })

  it('counts the running calls in utilization before they finish', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 1 })
    expect(ex.stats().utilization).toBe(0) // starts timing
    const open = gate()
    ex.submit(() => open.promise)
    await sleep(30)
    const busy = ex.stats()
    open.open()
    expect(busy.utilization).toBeGreaterThan(0)
    expect(busy.utilization).toBeLessThanOrEqual(1)
    expect(busy.runTime.count).toBe(0) // nothing finished yet
    expect(busy.waitTime.count).toBe(1)
  })
})
