// Chaos on both pools (short runs; `pnpm soak` runs the long ones): random process.exit,
// uncaught errors, out-of-memory and thrown errors in tasks, aborted signals, cancels, and a
// shutdown in the middle. Every future settles exactly once with an outcome its call could
// have (checked against the start log the tasks write), no worker fails more futures than it
// was running, the pool serves afterwards, and nothing is left after shutdown().
// Scenarios that break on today's process pool (SIGKILLs from outside) are commands, listed in
// the README, until the shared engine lands.
import { describe, expect, it } from 'vitest'
import { processBackend, runChaos, threadBackend } from '../dist/index.js'
import type { ChaosReport } from '../dist/index.js'

function expectClean(report: ChaosReport): void {
  expect(report.violations).toEqual([])
  expect(report.settled).toBe(report.submitted)
  expect(report.doubleSettled).toBe(0)
  expect(report.leftovers).toEqual([])
}

describe.each([
  ['ThreadPoolExecutor', threadBackend],
  ['ProcessPoolExecutor', processBackend],
])('%s under chaos', (_, backend) => {
  it.each([11, 12])('seed %i: exits, uncaught errors, OOM, throws, aborts and cancels lose nothing', async (seed) => {
    const report = await runChaos({ backend, seed, calls: 400, mix: { oom: 1 } })
    expectClean(report)
    expect(report.deaths).toBeGreaterThan(0)
    expect(report.deathFailures).toBeGreaterThan(0)
    expect(report.servedAfter).toBe(4)
    expect(report.fulfilled).toBeGreaterThan(200)
  })

  it('a shutdown in the middle: later submits are refused, every future still settles', async () => {
    const report = await runChaos({ backend, seed: 21, calls: 400, shutdownAfter: 150 })
    expectClean(report)
    expect(report.submitted).toBe(150)
  })

  it('synchronous calls only (no timers to yield on), four workers', async () => {
    const report = await runChaos({ backend, seed: 31, calls: 300, maxWorkers: 4, syncShare: 1, callMs: [0, 2] })
    expectClean(report)
    expect(report.servedAfter).toBe(8)
  })
})
