// SIGKILLs from outside on the process pool (chaos findings F1 and F2, fixed by the shared
// engine in @x/pool-kit): kills that hit children while they start do not break the pool, and a
// killed child fails only the call it was running (what was sent ahead runs on another child).
// Short runs here; the long forms are commands in the README:
//   node dist/chaos-cli.js --backend process --seed 7 --calls 3000 --kill-every 150 --kill-starting 0.3
//   node dist/chaos-cli.js --backend process --seed 8 --calls 3000 --kill-every 150 --kill-target serving
import { describe, expect, it } from 'vitest'
import { processBackend, runChaos } from '../dist/index.js'

describe('ProcessPoolExecutor under SIGKILLs from outside', () => {
  it('F1: kills that hit starting children do not break the pool, and nothing is lost', { timeout: 300_000 }, async () => {
    const report = await runChaos({ backend: processBackend, seed: 7, calls: 1000, kill: { everyMs: 150, startingShare: 0.3 } })
    expect(report.violations).toEqual([])
    expect(report.settled).toBe(report.submitted)
    expect(report.kills?.killsWhileStarting).toBeGreaterThan(0)
    expect(report.servedAfter).toBe(4)
    expect(report.leftovers).toEqual([])
  })

  it('F2: a killed child fails only the calls that were running in it (kills on serving children only)', { timeout: 300_000 }, async () => {
    const report = await runChaos({ backend: processBackend, seed: 8, calls: 1000, kill: { everyMs: 150, startingShare: 0, target: 'serving' } })
    expect(report.violations).toEqual([])
    expect(report.settled).toBe(report.submitted)
    expect(report.kills?.kills).toBeGreaterThan(10)
    expect(report.servedAfter).toBe(4)
  })
})
