/**
 * The conformance tests of what every executor adds beyond Python: `maxQueue` and `onRoom()`,
 * `stats()`, and futures passed as arguments (dependencies). The base `Executor` provides all of
 * them; these tests hold a backend to passing `maxQueue` on to `super()` and to moving its
 * futures through their states as the contract says.
 *
 * @module
 */
import { describe, expect, it } from 'vitest'
import { QueueFullError } from '../index.js'
import type { Executor, Future, TimeStats } from '../index.js'
import { collect, rejection, until } from './harness.js'
import type { Suite } from './harness.js'
import { divide, pow, sleepThen, waitForLatch } from './tasks.js'

/** Every field a number, in order, and zero when nothing was recorded. */
function checkTimes(times: TimeStats, count: number): void {
  expect(times.count).toBe(count)
  for (const value of [times.mean, times.p50, times.p90, times.p99, times.max]) {
    expect(typeof value).toBe('number')
    expect(value).toBeGreaterThanOrEqual(0)
  }
  expect(times.p50).toBeLessThanOrEqual(times.p90)
  expect(times.p90).toBeLessThanOrEqual(times.p99)
  expect(times.p99).toBeLessThanOrEqual(times.max)
  if (count === 0) expect(times.max).toBe(0)
  else expect(times.max).toBeGreaterThan(0)
}

/**
 * Submits a call that blocks until the latch opens, and waits until it runs. (A future is
 * thenable, so it comes back in an object: an async function returning it would wait for it.)
 */
async function occupy(ex: Executor, latchPath: string): Promise<{ blocker: Future }> {
  const blocker = ex.submit(waitForLatch, latchPath, 'blocker')
  await until(() => blocker.running(), 'the blocking call to start')
  return { blocker }
}

/** @internal */
export function describeFeatureContract(suite: Suite): void {
  const { timeout } = suite

  describe('maxQueue', () => {
    it('takes maxWorkers running plus maxQueue waiting, then throws QueueFullError and queues nothing', { timeout }, async () => {
      const ex = await suite.make(1, { maxQueue: 2 })
      expect(ex.maxQueue).toBe(2)
      const gate = suite.latch()
      const { blocker } = await occupy(ex, gate.path)
      const queued = [ex.submit(pow, 2, 1), ex.submit(pow, 2, 2)]
      const error = (() => {
        try {
          ex.submit(pow, 2, 3)
        } catch (thrown) {
          return thrown
        }
        return undefined
      })()
      expect(error).toBeInstanceOf(QueueFullError)
      expect((error as QueueFullError).code).toBe('ERR_QUEUE_FULL')
      expect((error as QueueFullError).maxQueue).toBe(2)
      expect((error as Error).message).toContain('onRoom()')
      expect(() => ex.submitWith({ name: 'extra' }, pow, 2, 3)).toThrow(QueueFullError)
      expect(ex.stats().queued).toBe(2)
      gate.release()
      expect(await blocker).toBe('blocker')
      expect(await Promise.all(queued)).toEqual([2, 4])
    })

    it('onRoom() resolves at once while there is room, and when a call finishes or a queued one is cancelled', { timeout }, async () => {
      const ex = await suite.make(1, { maxQueue: 1 })
      await ex.onRoom()
      const gate = suite.latch()
      const { blocker } = await occupy(ex, gate.path)
      const queued = ex.submit(pow, 3, 2)
      let woken = 0
      const room = ex.onRoom().then(() => ++woken)
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(woken).toBe(0)
      expect(queued.cancel()).toBe(true)
      expect(await room).toBe(1)
      ex.submit(pow, 3, 3)
      const again = ex.onRoom().then(() => ++woken)
      gate.release()
      await blocker
      expect(await again).toBe(2)
    })

    it('maxQueue: 0 allows maxWorkers calls and no waiting one', { timeout }, async () => {
      const ex = await suite.make(2, { maxQueue: 0 })
      const gate = suite.latch()
      const a = ex.submit(waitForLatch, gate.path, 'a')
      const b = ex.submit(waitForLatch, gate.path, 'b')
      expect(() => ex.submit(pow, 1, 1)).toThrow(QueueFullError)
      gate.release()
      expect(await Promise.all([a, b])).toEqual(['a', 'b'])
      await ex.onRoom()
      expect(await ex.submit(pow, 1, 1)).toBe(1)
    })

    it('map() with buffersize waits for room instead of throwing; without it, a map larger than the queue throws and cancels what it queued', { timeout }, async () => {
      const ex = await suite.make(1, { maxQueue: 1 })
      const inputs = Array.from({ length: 12 }, (_, i) => i)
      expect(await collect(ex.map(sleepThen, inputs.map(() => 1), inputs, { buffersize: 5 }))).toEqual(inputs)
      expect(await collect(ex.map(pow, inputs, inputs.map(() => 2), { buffersize: 3, chunksize: 2 }))).toEqual(inputs.map((i) => i ** 2))
      expect(() => ex.map(pow, inputs, inputs.map(() => 2))).toThrow(QueueFullError)
      await ex.onRoom()
      expect(ex.stats().queued).toBe(0)
    })

    it('is validated, and can be changed at run time', { timeout }, async () => {
      const ex = await suite.make(1)
      expect(ex.maxQueue).toBe(Infinity)
      expect(() => {
        ex.maxQueue = -1
      }).toThrow(RangeError)
      expect(() => {
        ex.maxQueue = 1.5
      }).toThrow(RangeError)
      expect(() => {
        ex.maxQueue = '3' as unknown as number
      }).toThrow(TypeError)
      ex.maxQueue = 0
      const gate = suite.latch()
      const blocker = ex.submit(waitForLatch, gate.path, 'x')
      expect(() => ex.submit(pow, 1, 1)).toThrow(QueueFullError)
      ex.maxQueue = Infinity
      const next = ex.submit(pow, 2, 5)
      gate.release()
      expect(await Promise.all([blocker, next])).toEqual(['x', 32])
    })
  })

  describe('stats()', () => {
    it('starts at zero', { timeout }, async () => {
      const ex = await suite.make(2)
      const stats = ex.stats()
      expect(stats).toMatchObject({ running: 0, queued: 0, completed: 0, failed: 0, cancelled: 0 })
      expect(stats.workers).toBeGreaterThanOrEqual(0)
      expect(stats.utilization).toBe(0)
      checkTimes(stats.waitTime, 0)
      checkTimes(stats.runTime, 0)
    })

    it('counts running and queued calls while they are, and completed, failed and cancelled ones after', { timeout }, async () => {
      const ex = await suite.make(1)
      ex.stats() // the first call starts timing
      const gate = suite.latch()
      const { blocker } = await occupy(ex, gate.path)
      const ok = [ex.submit(pow, 2, 3), ex.submit(divide, 9, 3)]
      const bad = ex.submit(divide, 1, 0)
      const dropped = ex.submit(pow, 5, 5)
      expect(ex.stats()).toMatchObject({ running: 1, queued: 4, completed: 0 })
      expect(dropped.cancel()).toBe(true)
      expect(ex.stats()).toMatchObject({ running: 1, queued: 3, cancelled: 1 })
      gate.release()
      await Promise.all([blocker, ...ok])
      await rejection(bad.result())
      const stats = ex.stats()
      expect(stats).toMatchObject({ running: 0, queued: 0, completed: 3, failed: 1, cancelled: 1 })
      expect(stats.workers).toBeGreaterThanOrEqual(0)
      expect(stats.utilization).toBeGreaterThan(0)
      expect(stats.utilization).toBeLessThanOrEqual(1)
      // the cancelled call never started: four waits and four runs
      checkTimes(stats.waitTime, 4)
      checkTimes(stats.runTime, 4)
    })

    it('counts calls made before the first stats() call, and times only the later ones', { timeout }, async () => {
      const ex = await suite.make(2)
      await ex.submit(pow, 2, 2)
      await rejection(ex.submit(divide, 1, 0).result())
      const first = ex.stats()
      expect(first).toMatchObject({ completed: 1, failed: 1, running: 0, queued: 0 })
      checkTimes(first.waitTime, 0)
      checkTimes(first.runTime, 0)
      await ex.submit(pow, 2, 3)
      const second = ex.stats()
      expect(second).toMatchObject({ completed: 2, failed: 1 })
      checkTimes(second.waitTime, 1)
      checkTimes(second.runTime, 1)
    })

    it('counts map() calls and chunks (one per chunk)', { timeout }, async () => {
      const ex = await suite.make(2)
      const inputs = [1, 2, 3, 4, 5, 6]
      await collect(ex.map(pow, inputs, inputs))
      await collect(ex.map(pow, inputs, inputs, { chunksize: 3 }))
      expect(ex.stats()).toMatchObject({ completed: 8, failed: 0, running: 0, queued: 0 })
    })
  })
}
