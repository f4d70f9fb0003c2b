// After its last answer an idle thread looks for the next message itself for a moment (src/worker.ts,
// awaitNext) instead of going back to its event loop at once. What must still hold: its own timers
// and the promise callbacks a task left behind run even while one round trip follows another, and
// every round trip of any kind gets its own answer.
import { task } from '@x/future'
import { ThreadPoolExecutor } from '@x/thread-pool'
import { describe, expect, it } from 'vitest'
import { track, until } from './helpers.js'

const here = new URL('./fixtures/next-call.mjs', import.meta.url)
const startTicker = task<(sab: SharedArrayBuffer) => string>(here, 'startTicker')
const stopTicker = task<() => string>(here, 'stopTicker')
const thenLater = task<(sab: SharedArrayBuffer) => string>(here, 'thenLater')
const increment = (x: number): number => x + 1

describe('a thread that takes its next call itself', () => {
  it('still runs its timers while the pool keeps it busy with one round trip after another', { timeout: 30_000 }, async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    const ticks = new SharedArrayBuffer(4)
    expect(await pool.submit(startTicker, ticks)).toBe('ticking')
    let rounds = 0
    // each call submitted as soon as the one before answered: the thread is never idle for long
    while (Atomics.load(new Int32Array(ticks), 0) < 5 && rounds < 100_000) {
      expect(await pool.submit(increment, rounds)).toBe(rounds + 1)
      rounds++
    }
    expect(await pool.submit(stopTicker)).toBe('stopped')
    expect(Atomics.load(new Int32Array(ticks), 0)).toBeGreaterThanOrEqual(5)
  })

  it('runs the promise callbacks a task left behind, also while round trips follow', { timeout: 20_000 }, async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    for (let i = 0; i < 20; i++) {
      const done = new SharedArrayBuffer(4)
      expect(await pool.submit(thenLater, done)).toBe('queued')
      expect(await pool.submit(increment, i)).toBe(i + 1)
      await until(() => Atomics.load(new Int32Array(done), 0) === 1, "the task's promise callback to run")
    }
  })

  it('answers sequential round trips of plain, async, stream and aborted tasks, each with its own result', { timeout: 30_000 }, async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    const later = async (x: number): Promise<number> => {
      await new Promise((resolve) => setTimeout(resolve, 1))
      return x * 2
    }
    function* count(n: number): Generator<number> {
      for (let i = 0; i < n; i++) yield i
    }
    for (let i = 0; i < 300; i++) {
      expect(await pool.submit(increment, i)).toBe(i + 1)
      if (i % 20 === 0) {
        expect(await pool.submit(later, i)).toBe(i * 2)
        const values: number[] = []
        for await (const value of pool.stream(count, 3, { highWaterMark: 1 })) values.push(value)
        expect(values).toEqual([0, 1, 2])
        const controller = new AbortController()
        const aborted = pool.submitWith({ signal: controller.signal }, increment, i)
        controller.abort()
        expect(aborted.cancelled() || (await aborted) === i + 1).toBe(true)
      }
    }
    expect(pool.stats()).toMatchObject({ running: 0, queued: 0 })
  })
})
