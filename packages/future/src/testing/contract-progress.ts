/**
 * The conformance tests of progress: `currentTask().progress(value)` inside a task reaches
 * `future.onProgress()` listeners, coalesced, the last report before the result, never after
 * the future is done. A backend opts in with `{ progress: true }`.
 *
 * @module
 */
import { describe, expect, it } from 'vitest'
import type { Future } from '../index.js'
import { until } from './harness.js'
import type { Suite } from './harness.js'
import { pow, reportAfterEnd, reportInLoop, sleepThen, waitForLatch } from './tasks.js'

/** @internal */
export function describeProgressContract(suite: Suite): void {
  const { timeout } = suite

  describe('progress', () => {
    it('reaches the listeners coalesced (a tight loop of 100,000 reports is a few deliveries), in order, the last one before the result', { timeout }, async () => {
      const ex = await suite.make(1)
      const gate = suite.latch()
      const n = 100_000
      const f = ex.submit(reportInLoop, n, gate.path)
      const seen: unknown[] = []
      const unsubscribe = f.onProgress((value) => seen.push(value))
      expect(typeof unsubscribe).toBe('function')
      await until(() => seen.at(-1) === n, 'the last report of the loop')
      expect(seen.length).toBeLessThan(n / 100)
      const numbers = seen as number[]
      expect(numbers.every((value, i) => i === 0 || value > (numbers[i - 1] ?? 0))).toBe(true)
      gate.release()
      expect(await f).toBe('done')
      expect(seen.at(-1)).toEqual({ phase: 'last', at: new Date(0) })
    })

    it('never calls a listener after the future is done, nor after it unsubscribed; a report after the task ended is ignored', { timeout }, async () => {
      const ex = await suite.make(1)
      const seen: unknown[] = []
      const f = ex.submit(reportAfterEnd, 5)
      f.onProgress((value) => seen.push(value))
      expect(await f).toBe('ended')
      // the late report comes while the next call runs on the same worker
      expect(await ex.submit(sleepThen, 40, 'next')).toBe('next')
      expect(seen).toEqual([])
      f.onProgress(() => {
        throw new Error('a listener added to a done future is never called')
      })()

      const gate = suite.latch()
      const g = ex.submit(reportInLoop, 10, gate.path)
      const stop = g.onProgress((value) => seen.push(value))
      stop()
      stop() // harmless
      gate.release()
      expect(await g).toBe('done')
      expect(seen).toEqual([])
      // the worker is fine
      expect(await ex.submit(pow, 2, 5)).toBe(32)
    })

    it('reaches a call that waited on a dependency', { timeout }, async () => {
      const ex = await suite.make(1)
      const gate = suite.latch()
      const blocker = ex.submit(waitForLatch, gate.path, 3) as Future<number>
      const f = ex.submit(reportInLoop, blocker, gate.path)
      const seen: unknown[] = []
      f.onProgress((value) => seen.push(value))
      gate.release()
      expect(await f).toBe('done')
      expect(seen.at(-1)).toEqual({ phase: 'last', at: new Date(0) })
    })
  })
}
