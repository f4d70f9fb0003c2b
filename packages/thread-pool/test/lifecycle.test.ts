// Worker lifecycle: minWorkers (threads started at construction, kept while idle, never keeping
// the process alive) and maxTasksPerWorker (a thread is replaced after N tasks, nothing lost).
import { ThreadPoolExecutor } from '@x/thread-pool'
import { describe, expect, it } from 'vitest'
import { runScript, track, until } from './helpers.js'

/** Doubles `x` and says which thread did it. */
const doubleOnThread = (x: number): [number, number] => [x * 2, process.getBuiltinModule('node:worker_threads').threadId]

describe('minWorkers', () => {
  it('starts that many threads at construction, before any submit, and keeps them while idle', { timeout: 20_000 }, async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 4, minWorkers: 2, idleTimeout: 10 }))
    expect(pool.stats().workers).toBe(2)
    expect(pool.workerCount).toBe(2)
    const ids = await Promise.all([1, 2, 3, 4].map((x) => pool.submit(doubleOnThread, x)))
    expect(ids.map(([value]) => value)).toEqual([2, 4, 6, 8])
    // idleTimeout ends the threads beyond minWorkers, never those
    await until(() => pool.workerCount === 2, 'the idle threads beyond minWorkers to end')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(pool.workerCount).toBe(2)
  })

  it('an idle pool with minWorkers does not keep the process alive (a child process exits by itself)', { timeout: 30_000 }, async () => {
    const result = await runScript('./fixtures/idle-min-workers.mjs')
    expect(result.signal).toBeNull()
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ before: 2, result: 42 })
  })

  it('is validated, naming the option', () => {
    expect(() => new ThreadPoolExecutor({ maxWorkers: 2, minWorkers: 3 })).toThrow(RangeError)
    expect(() => new ThreadPoolExecutor({ maxWorkers: 2, minWorkers: 3 })).toThrow('minWorkers must be an integer from 0 to maxWorkers (2), got 3')
    expect(() => new ThreadPoolExecutor({ minWorkers: -1 })).toThrow(RangeError)
    expect(() => new ThreadPoolExecutor({ minWorkers: 1.5 })).toThrow(TypeError)
    expect(() => new ThreadPoolExecutor({ minWorkers: '1' as never })).toThrow('minWorkers must be an integer')
  })
})

describe('maxTasksPerWorker', () => {
  it('replaces a thread after that many tasks, under load, with no future lost', { timeout: 120_000 }, async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 4, maxTasksPerWorker: 7 }))
    const inputs = Array.from({ length: 2000 }, (_, i) => i)
    const results = await Promise.all(inputs.map((x) => pool.submit(doubleOnThread, x)))
    expect(results.map(([value]) => value)).toEqual(inputs.map((x) => x * 2))
    const perThread = new Map<number, number>()
    for (const [, threadId] of results) perThread.set(threadId, (perThread.get(threadId) ?? 0) + 1)
    expect(Math.max(...perThread.values())).toBeLessThanOrEqual(7)
    expect(perThread.size).toBeGreaterThanOrEqual(Math.ceil(2000 / 7))
    expect(pool.workerCount).toBeLessThanOrEqual(4 * 2)
  })

  it('keeps minWorkers threads while it recycles them', { timeout: 30_000 }, async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 2, minWorkers: 2, maxTasksPerWorker: 3 }))
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => pool.submit(doubleOnThread, i)))
    expect(new Set(results.map(([, threadId]) => threadId)).size).toBeGreaterThanOrEqual(10)
    await until(() => pool.workerCount === 2, 'minWorkers threads to be there again')
  })

  it('is validated, naming the option', () => {
    expect(() => new ThreadPoolExecutor({ maxTasksPerWorker: 0 })).toThrow(RangeError)
    expect(() => new ThreadPoolExecutor({ maxTasksPerWorker: 0 })).toThrow('maxTasksPerWorker must be an integer >= 1')
    expect(() => new ThreadPoolExecutor({ maxTasksPerWorker: 2.5 })).toThrow(TypeError)
  })
})
