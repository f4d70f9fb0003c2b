// Chaos on the distributed executor (short runs; `pnpm soak --backend distributed` runs the long
// ones): a DistributedExecutor on a fresh queue, served by real x-worker processes (one on
// threads, one running tasks on its own thread, so a task's process.exit ends the whole worker),
// replaced as they die. Random process.exit, uncaught and thrown errors in tasks, SIGKILLs from
// outside (some of workers still starting), cancels, aborts and a shutdown in the middle. Every
// future settles once, healthy calls return their value or a WorkerLostError naming the worker
// they ran in, no worker fails more calls than were running in it, nothing runs twice, the
// executor serves afterwards, the workers stop on SIGTERM, and the queue leaves nothing in Redis.
import { describe, expect, it } from 'vitest'
import { distributedBackend, runChaos } from '../dist/index.js'
import type { ChaosReport } from '../dist/index.js'
import { REDIS_URL, redisAnswers } from '../../../scripts/test-utils/processes.mjs'

const hasRedis = await redisAnswers()
if (process.env.CI === 'true') {
  it('has a Redis to run the distributed chaos against (required under CI=true)', () => {
    expect(hasRedis, `no Redis answers at ${REDIS_URL}`).toBe(true)
  })
}

function expectClean(report: ChaosReport): void {
  expect(report.violations).toEqual([])
  expect(report.settled).toBe(report.submitted)
  expect(report.doubleSettled).toBe(0)
  expect(report.leftovers).toEqual([])
}

describe.skipIf(!hasRedis)('DistributedExecutor on x-workers under chaos', () => {
  it('exits, uncaught errors, throws, aborts and cancels lose nothing', { timeout: 120_000 }, async () => {
    const report = await runChaos({ backend: distributedBackend, seed: 41, calls: 200 })
    expectClean(report)
    expect(report.deaths).toBeGreaterThan(0) // x-workers ended by their tasks
    expect(report.deathFailures).toBeGreaterThan(0)
    expect(report.servedAfter).toBe(4)
    expect(report.fulfilled).toBeGreaterThan(100)
  })

  it('SIGKILLs from outside, some of workers still starting: nothing lost, nothing run twice', { timeout: 120_000 }, async () => {
    const report = await runChaos({ backend: distributedBackend, seed: 42, calls: 150, kill: { everyMs: 800, startingShare: 0.3 } })
    expectClean(report)
    expect(report.kills?.kills).toBeGreaterThan(0)
    expect(report.servedAfter).toBe(4)
  })

  it('a shutdown in the middle: later submits are refused, every future still settles', { timeout: 120_000 }, async () => {
    const report = await runChaos({ backend: distributedBackend, seed: 43, calls: 300, shutdownAfter: 120 })
    expectClean(report)
    expect(report.submitted).toBe(120)
  })
})
