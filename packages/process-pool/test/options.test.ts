// Bad options are refused at construction with an error that names the option and the fix.
import { availableParallelism } from 'node:os'
import { describe, expect, it } from 'vitest'
import { ProcessPoolExecutor } from '@x/process-pool'
import { t } from './helpers.js'

describe('ProcessPoolExecutor options', () => {
  it('maxWorkers defaults to os.availableParallelism(); 0, negatives and fractions are a RangeError', async () => {
    const pool = new ProcessPoolExecutor()
    expect(pool.maxWorkers).toBe(availableParallelism())
    expect(pool.kind).toBe('process')
    await pool.shutdown()
    for (const bad of [0, -1, 1.5]) {
      expect(() => new ProcessPoolExecutor({ maxWorkers: bad })).toThrow(RangeError)
    }
    expect(() => new ProcessPoolExecutor({ maxWorkers: 0 })).toThrow(/maxWorkers must be greater than 0 \(got 0\)/)
    expect(() => new ProcessPoolExecutor({ maxWorkers: '2' as unknown as number })).toThrow(TypeError)
  })

  it('initializer must be a callable; initargs an array', () => {
    expect(() => new ProcessPoolExecutor({ initializer: 42 as unknown as () => void })).toThrow(/initializer must be a callable/)
    expect(() => new ProcessPoolExecutor({ initializer: Math.max })).toThrow(/initializer must be a callable.*native function/s)
    expect(() => new ProcessPoolExecutor({ initializer: t('init'), initargs: 'x' as unknown as [] })).toThrow(/initargs must be an array/)
  })

  it('idleTimeout, execArgv, env and name are checked', () => {
    expect(() => new ProcessPoolExecutor({ idleTimeout: -1 })).toThrow(RangeError)
    expect(() => new ProcessPoolExecutor({ execArgv: '--inspect' as unknown as string[] })).toThrow(/execArgv must be an array/)
    expect(() => new ProcessPoolExecutor({ execArgv: [1] as unknown as string[] })).toThrow(/execArgv must be an array of strings/)
    expect(() => new ProcessPoolExecutor({ env: { A: 1 } as unknown as Record<string, string> })).toThrow(/env\.A must be a string/)
    expect(() => new ProcessPoolExecutor({ env: 'A=1' as unknown as Record<string, string> })).toThrow(/env must be an object/)
    expect(() => new ProcessPoolExecutor({ name: 5 as unknown as string })).toThrow(/name must be a string/)
  })

  it('an unknown option is named, with the list of options', () => {
    expect(() => new ProcessPoolExecutor({ max_workers: 2 } as unknown as { maxWorkers: number })).toThrow(
      /unknown option "max_workers"; the options are "maxWorkers"/,
    )
    expect(() => new ProcessPoolExecutor(3 as unknown as { maxWorkers: number })).toThrow(/options must be an object/)
  })

  it('submitWith and shutdown check their options', async () => {
    const pool = new ProcessPoolExecutor({ maxWorkers: 1 })
    expect(() => pool.submitWith({ nmae: 'x' } as unknown as { name: string }, t('square'), 1)).toThrow(/unknown option "nmae"/)
    expect(() => pool.submitWith({ signal: 'x' as unknown as AbortSignal }, t('square'), 1)).toThrow(/signal must be an AbortSignal/)
    expect(() => pool.submit(42 as unknown as () => void)).toThrow(TypeError)
    await expect(pool.shutdown({ wiat: true } as unknown as { wait: boolean })).rejects.toThrow(/unknown option "wiat"/)
    await pool.shutdown()
  })
})
