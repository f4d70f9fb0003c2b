// The chaos findings that fail on today's code (listed in this package's README), as tests: run
// with `pnpm --filter @x/reliability test:known`. Each asserts the behaviour the contract
// promises; when a fix lands, move its test into the regular suite.
import { describe, expect, it } from 'vitest'
import { processBackend, runChaos } from '../../dist/index.js'

describe('F1, F2: process pool under SIGKILLs from outside', () => {
  it('F1: kills that hit starting children do not break the pool, and nothing is lost', { timeout: 300_000 }, async () => {
    const report = await runChaos({ backend: processBackend, seed: 7, calls: 3000, kill: { everyMs: 150, startingShare: 0.3 } })
    expect(report.violations).toEqual([])
    expect(report.kills?.killsWhileStarting).toBeGreaterThan(0)
    expect(report.servedAfter).toBe(4)
  })

  it('F2: a killed child fails only the calls that were running in it (kills on serving children only)', { timeout: 300_000 }, async () => {
    const report = await runChaos({ backend: processBackend, seed: 8, calls: 3000, kill: { everyMs: 150, startingShare: 0, target: 'serving' } })
    expect(report.violations).toEqual([])
    expect(report.kills?.kills).toBeGreaterThan(10)
  })
})
