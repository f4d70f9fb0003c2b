// The findings of /work/notes/chaos-findings.md that fail on today's code, as tests: run with
// `pnpm --filter @x/reliability test:known`. Each asserts the behaviour the contract promises;
// when a fix lands, move its test into the regular suite (and drop its line in fuzz/known.ts).
import { describe, expect, it } from 'vitest'
import { ProcessPoolExecutor } from '@x/process-pool'
import { ThreadPoolExecutor } from '@x/thread-pool'
import { processBackend, runChaos } from '../../dist/index.js'
import { expectNamedRefusal, thrownBy } from '../fuzz/values.js'

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

describe('F3-F6: constructor options', () => {
  it('F3: process pool idleTimeout / maxTasksPerChild objects are refused naming the option', () => {
    expectNamedRefusal(thrownBy(() => new ProcessPoolExecutor({ idleTimeout: {} as never })), ['idleTimeout'], 'idleTimeout: {}')
    expectNamedRefusal(thrownBy(() => new ProcessPoolExecutor({ maxTasksPerChild: {} as never })), ['maxTasksPerChild'], 'maxTasksPerChild: {}')
  })

  it('F4: thread pool resourceLimits is checked by the constructor', () => {
    const poisoned = new Proxy({}, { get() { throw new Error('poison') } })
    expect(() => new ThreadPoolExecutor({ resourceLimits: poisoned })).toThrow('poison')
    expectNamedRefusal(thrownBy(() => new ThreadPoolExecutor({ resourceLimits: { maxOldGenerationSizeMb: -1 } })), ['resourceLimits'], 'maxOldGenerationSizeMb: -1')
    expectNamedRefusal(thrownBy(() => new ThreadPoolExecutor({ resourceLimits: { maxOldGenerationSizeMb: 'abc' as never } })), ['resourceLimits'], "maxOldGenerationSizeMb: 'abc'")
  })

  it('F5: thread pool maxWorkers 2 ** 31 works (threads start lazily) or names maxWorkers', async () => {
    let pool: ThreadPoolExecutor | undefined
    const error = thrownBy(() => (pool = new ThreadPoolExecutor({ maxWorkers: 2 ** 31 })))
    if (error !== undefined) expectNamedRefusal(error, ['maxWorkers', 'max_workers'], 'maxWorkers: 2 ** 31')
    else await pool?.shutdown()
  })

  it('F6: thread pool non-function initializer is refused naming "initializer"', () => {
    expectNamedRefusal(thrownBy(() => new ThreadPoolExecutor({ initializer: {} as never })), ['initializer'], 'initializer: {}')
  })
})
