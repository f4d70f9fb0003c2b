/**
 * The conformance tests of what `stats()` says about calls that run: a backend whose futures
 * become RUNNING late (when their result arrives, or when someone reads their state) would report
 * no running calls and run times near zero. A lower bound on the time a call was known to work is
 * behaviour, not a speed assertion: these tests hold every backend to it.
 *
 * @module
 */
import { describe, expect, it } from 'vitest'
import { until } from './harness.js'
import { recordAndWait } from './tasks.js'
import type { Suite } from './harness.js'

/** How long each call of these tests works, in milliseconds. */
const WORK = 200

/** Writes `signal` (the call runs now), then works for `ms` milliseconds (a timer: any backend, even one on the caller's thread). */
const signalThenWork = async (signal: string, ms: number): Promise<number> => {
  process.getBuiltinModule('node:fs').writeFileSync(signal, 'started')
  const end = Date.now() + ms
  while (Date.now() < end) await new Promise((resolve) => setTimeout(resolve, end - Date.now()))
  return ms
}

/** @internal */
export function describeStatsContract(suite: Suite): void {
  const { timeout } = suite

  describe('stats() while calls run', () => {
    it('counts a call as running once it runs, before anyone reads its future', { timeout }, async () => {
      const ex = await suite.make(2)
      ex.stats()
      // each call records that it runs, then waits for the latch: both are surely running when
      // both lines are there, however long the second worker took to start
      const record = suite.recorder()
      const release = suite.latch()
      const calls = ['a', 'b'].map((id) => ex.submit(recordAndWait, record.path, release.path, id))
      await until(() => record.lines().length === 2, 'both calls to record that they run')
      // the futures are not read before this: a backend must know on its own that they run
      expect(ex.stats()).toMatchObject({ running: 2, queued: 0 })
      release.release()
      expect(await Promise.all(calls)).toEqual(['a', 'b'])
      expect(ex.stats()).toMatchObject({ running: 0, queued: 0, completed: 2 })
    })

    it(`times the run of calls that work ${String(WORK)} ms as at least most of that, and their wait as shorter than the whole call`, { timeout }, async () => {
      const ex = await suite.make(2)
      // both workers up first (each runs one of two calls that wait for each other), so the span
      // timed below is calls running, not a slow machine starting workers
      const record = suite.recorder()
      const release = suite.latch()
      const warm = ['a', 'b'].map((id) => ex.submit(recordAndWait, record.path, release.path, id))
      await until(() => record.lines().length === 2, 'both warm-up calls to run')
      release.release()
      await Promise.all(warm)
      ex.stats() // the first call starts timing
      const begin = performance.now()
      const calls = Array.from({ length: 4 }, () => ex.submit(signalThenWork, suite.latch().path, WORK))
      await Promise.all(calls)
      const elapsed = performance.now() - begin
      const { runTime, waitTime, utilization } = ex.stats()
      expect(runTime.count).toBe(4)
      // each call works WORK ms (a timer may fire a little early on some platforms: most of it)
      expect(runTime.p50).toBeGreaterThanOrEqual(WORK * 0.75)
      expect(runTime.max).toBeLessThanOrEqual(elapsed)
      expect(waitTime.count).toBe(4)
      // the last two waited for the first two: at most the whole span less the work done after
      expect(waitTime.max).toBeLessThanOrEqual(elapsed - WORK * 0.75)
      // two workers busy for about the whole span
      expect(utilization).toBeGreaterThan(0.3)
    })
  })
}
