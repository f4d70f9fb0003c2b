// Chaos findings F3-F6 (fixed): constructor options the fuzzer found refused without naming
// the option, or crashing the process from a microtask. Each asserts the contract's refusal.
import { describe, expect, it } from 'vitest'
import { ProcessPoolExecutor } from '@x/process-pool'
import { ThreadPoolExecutor } from '@x/thread-pool'
import { expectNamedRefusal, thrownBy } from './fuzz/values.js'

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

  it('F5: thread pool maxWorkers 2 ** 31 is refused naming maxWorkers', async () => {
    expectNamedRefusal(thrownBy(() => new ThreadPoolExecutor({ maxWorkers: 2 ** 31 })), ['maxWorkers'], 'maxWorkers: 2 ** 31')
    const pool = new ThreadPoolExecutor({ maxWorkers: 2 ** 20 })
    expect(await pool.submit((a: number) => a + 1, 1).result()).toBe(2)
    await pool.shutdown()
  })

  it('F6: thread pool non-function initializer is refused naming "initializer"', () => {
    expectNamedRefusal(thrownBy(() => new ThreadPoolExecutor({ initializer: {} as never })), ['initializer'], 'initializer: {}')
  })
})
