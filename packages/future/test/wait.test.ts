// Scenarios B18-B29 and C30-C35 of research/cpython-futures.md §4: wait() and asCompleted().
import { describe, expect, it } from 'vitest'
import {
  ALL_COMPLETED,
  AsyncPoolExecutor,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  Future,
  TimeoutError,
  asCompleted,
  wait,
} from '../src/index.js'
import type { CompletedFuture } from '../src/index.js'
import { futures, gate, rejection, sleep } from './helpers.js'

const divmod = (a: number, b: number): [number, number] => {
  if (b === 0) throw new RangeError('integer division or modulo by zero')
  return [Math.floor(a / b), a % b]
}
const mul = (a: number, b: number): number => a * b

async function collect<T>(iterator: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of iterator) out.push(item)
  return out
}

describe('wait() (B)', () => {
  it('B18: duplicates count once', async () => {
    const { successful } = futures()
    const { done, notDone } = await wait([successful, successful])
    expect(done).toEqual(new Set([successful]))
    expect(notDone.size).toBe(0)
  })

  it('B19: wait([]) resolves at once with two empty sets', async () => {
    expect(await wait([])).toEqual({ done: new Set(), notDone: new Set() })
  })

  it('B20: FIRST_COMPLETED with done futures returns at once', async () => {
    const { cancelledAndNotified, successful } = futures()
    const blocked = new Future()
    const { done, notDone } = await wait([cancelledAndNotified, successful, blocked], { returnWhen: FIRST_COMPLETED })
    expect(done).toEqual(new Set([cancelledAndNotified, successful]))
    expect(notDone).toEqual(new Set([blocked]))
  })

  it('B21: a hand-made CANCELLED (not notified) future counts as not done', async () => {
    const { cancelled } = futures()
    await using ex = new AsyncPoolExecutor({ maxWorkers: 2 })
    const release = gate()
    const blocked = ex.submit(() => release.promise)
    const fast = ex.submit(mul, 21, 2)
    const { done, notDone } = await wait([cancelled, fast, blocked], { returnWhen: FIRST_COMPLETED })
    expect(done).toEqual(new Set([fast]))
    expect(notDone).toEqual(new Set([cancelled, blocked]))
    release.open()
  })

  it('B22: FIRST_EXCEPTION returns when a later task fails', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 3 })
    const release = gate()
    const f1 = ex.submit(mul, 21, 2)
    const f2 = ex.submit(async () => {
      await f1
      throw new Error('after f1')
    })
    const f3 = ex.submit(() => release.promise)
    const { done, notDone } = await wait([f1, f2, f3], { returnWhen: FIRST_EXCEPTION })
    expect(done).toEqual(new Set([f1, f2]))
    expect(notDone).toEqual(new Set([f3]))
    release.open()
  })

  it('B23: FIRST_EXCEPTION with an already failed future returns at once', async () => {
    const { exception } = futures()
    const blocked = new Future()
    const { done, notDone } = await wait([exception, blocked], { returnWhen: FIRST_EXCEPTION })
    expect(done).toEqual(new Set([exception]))
    expect(notDone).toEqual(new Set([blocked]))
  })

  it('B24: FIRST_EXCEPTION with cancelled futures and a failing task', async () => {
    const { successful, cancelled, cancelledAndNotified } = futures()
    await using ex = new AsyncPoolExecutor({ maxWorkers: 2 })
    const release = gate()
    const failing = ex.submit(divmod, 21, 0)
    const blocked = ex.submit(() => release.promise)
    const { done, notDone } = await wait([successful, cancelled, cancelledAndNotified, failing, blocked], {
      returnWhen: FIRST_EXCEPTION,
    })
    expect(done).toEqual(new Set([successful, cancelledAndNotified, failing]))
    expect(notDone).toEqual(new Set([cancelled, blocked]))
    release.open()
  })

  it('B25: FIRST_EXCEPTION with no failure waits for all', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 2 })
    const a = ex.submit(() => sleep(10))
    const b = ex.submit(() => sleep(20))
    const notified = new Future()
    notified.cancel()
    notified.setRunningOrNotifyCancel()
    const { done, notDone } = await wait([a, b, notified], { returnWhen: FIRST_EXCEPTION })
    expect(done).toEqual(new Set([a, b, notified]))
    expect(notDone.size).toBe(0)
  })

  it('B26: ALL_COMPLETED', async () => {
    const { successful, cancelledAndNotified, exception } = futures()
    await using ex = new AsyncPoolExecutor({ maxWorkers: 2 })
    const f1 = ex.submit(divmod, 2, 0)
    const f2 = ex.submit(mul, 2, 21)
    const { done, notDone } = await wait([successful, cancelledAndNotified, exception, f1, f2], {
      returnWhen: ALL_COMPLETED,
    })
    expect(done).toEqual(new Set([successful, cancelledAndNotified, exception, f1, f2]))
    expect(notDone.size).toBe(0)
  })

  it('B27: a timeout returns what is done; timeout 0 is a snapshot', async () => {
    const { successful, cancelledAndNotified, exception } = futures()
    const blocked = new Future()
    const result = await wait([cancelledAndNotified, exception, successful, blocked], { timeout: 30 })
    expect(result.done).toEqual(new Set([cancelledAndNotified, exception, successful]))
    expect(result.notDone).toEqual(new Set([blocked]))
    const snapshot = await wait([successful, blocked], { timeout: 0 })
    expect(snapshot.notDone).toEqual(new Set([blocked]))
  })

  it('B28: an invalid returnWhen is a RangeError', async () => {
    const blocked = new Future()
    await expect(wait([blocked], { returnWhen: 'SOMETIMES' as never })).rejects.toThrow(RangeError)
    await expect(wait([blocked], { returnWhen: 'SOMETIMES' as never })).rejects.toThrow(/^Invalid return condition/)
  })

  it('B29: 100 tasks released together are all done (no lost wake-ups)', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 100 })
    const release = gate()
    const fs = Array.from({ length: 100 }, (_, i) => ex.submit(async () => (await release.promise, i)))
    setTimeout(() => {
      release.open()
    }, 5)
    const { done, notDone } = await wait(fs)
    expect(done.size).toBe(100)
    expect(notDone.size).toBe(0)
  })

  it('accepts any iterable, mixes executors and hand-made futures, and rejects bad input', async () => {
    await using a = new AsyncPoolExecutor({ maxWorkers: 1 })
    await using b = new AsyncPoolExecutor({ maxWorkers: 1 })
    const bare = new Future<number>()
    setTimeout(() => {
      bare.setResult(3)
    }, 5)
    function* gen(): Generator<Future<number>> {
      yield a.submit(() => 1)
      yield b.submit(() => 2)
      yield bare
    }
    const { done } = await wait(gen())
    expect(done.size).toBe(3)
    await expect(wait([1 as never])).rejects.toThrow(/item 0 is not a Future/)
    await expect(wait(5 as never)).rejects.toThrow(TypeError)
    await expect(wait([], { timeout: 'x' as never })).rejects.toThrow(TypeError)
    await expect(wait([], { retunWhen: FIRST_COMPLETED } as never)).rejects.toThrow(/unknown option "retunWhen"/)
  })
})

describe('asCompleted() (C)', () => {
  it('C30: done futures first, then in completion order', async () => {
    await using ex = new AsyncPoolExecutor({ maxWorkers: 4 })
    const { successful } = futures()
    const f30 = ex.submit(() => sleep(60).then(() => 30))
    const f10 = ex.submit(() => sleep(20).then(() => 10))
    const f20 = ex.submit(() => sleep(40).then(() => 20))
    const order = await collect(asCompleted<number>([f30, f10, successful, f20]))
    expect(order).toEqual([successful, f10, f20, f30])
  })

  it('C31: each future once, from any iterable', async () => {
    const { successful } = futures()
    expect(await collect(asCompleted([successful, successful, successful]))).toEqual([successful])
    expect(await collect(asCompleted(new Set([successful])))).toEqual([successful])
  })

  it('C32: no futures, no items', async () => {
    expect(await collect(asCompleted([]))).toEqual([])
  })

  it('C33: timeout 0 and 30 yield the done ones, then TimeoutError', async () => {
    for (const timeout of [0, 30]) {
      const { successful, exception, cancelledAndNotified } = futures()
      const slow = new Future<number>()
      const seen: CompletedFuture<number>[] = []
      const error = await rejection(
        (async () => {
          for await (const f of asCompleted<number>([successful, exception, cancelledAndNotified, slow], { timeout })) {
            seen.push(f)
          }
        })(),
      )
      expect(error).toBeInstanceOf(TimeoutError)
      expect(new Set(seen)).toEqual(new Set([successful, exception, cancelledAndNotified]))
    }
  })

  it("C34: the message is 'N (of M) futures unfinished'", async () => {
    const { cancelledAndNotified, pending, running, successful } = futures()
    const error = await rejection(collect(asCompleted([cancelledAndNotified, pending, running, successful], { timeout: 0 })))
    expect((error as Error).message).toBe('2 (of 4) futures unfinished')
  })

  it('C35: futures of two executors and a bare one', async () => {
    // The order of completion is driven by gates, not by timers, so a loaded machine cannot
    // reorder it: a finishes, then b, then the bare future.
    await using a = new AsyncPoolExecutor({ maxWorkers: 1 })
    await using b = new AsyncPoolExecutor({ maxWorkers: 1 })
    const bare = new Future<number>()
    const openA = gate()
    const openB = gate()
    const fa = a.submit(() => openA.promise.then(() => 1))
    const fb = b.submit(() => openB.promise.then(() => 2))
    const order = collect(asCompleted<number>([bare, fb, fa]))
    openA.open()
    await fa
    openB.open()
    await fb
    bare.setResult(3)
    expect(await order).toEqual([fa, fb, bare])
  })

  it('hands out futures, not their values, and the timeout counts from the call', async () => {
    const f = new Future<Future<number>>()
    const inner = new Future<number>()
    inner.setResult(1)
    f.setResult(inner)
    const [item] = await collect(asCompleted([f]))
    expect(item).toBe(f)
    expect(item).toBeInstanceOf(Future)
    // The timeout counts from the call: the deadline (40 ms) has passed when next() is first
    // called (50 ms), so it throws although the future finishes at 80 ms. Counting from the first
    // next() would yield the future instead.
    const slow = new Future<number>()
    setTimeout(() => {
      slow.setResult(1)
    }, 80)
    const iterator = asCompleted([slow], { timeout: 40 })
    await sleep(50)
    await expect(iterator.next()).rejects.toBeInstanceOf(TimeoutError)
  })

  it('return() stops the iteration and a cancelled-and-notified future is yielded', async () => {
    const f = new Future()
    const iterator = asCompleted([f])
    setTimeout(() => {
      f.cancel()
      f.setRunningOrNotifyCancel()
    }, 5)
    const step = await iterator.next()
    expect(step.value).toBe(f)
    const g = new Future()
    const it2 = asCompleted([g])
    const close = it2.return?.bind(it2)
    expect(close).toBeTypeOf('function')
    expect(await close?.()).toEqual({ value: undefined, done: true })
    expect(await it2.next()).toEqual({ value: undefined, done: true })
  })
})
