// Worker lifecycle: minWorkers (children started at construction, kept while idle, never keeping
// the parent alive) and maxTasksPerWorker (maxTasksPerChild its alias): a child is replaced after
// N tasks, nothing lost.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { ProcessPoolExecutor } from '@x/process-pool'
import { afterEach, describe, expect, it } from 'vitest'
import { alive, until } from './helpers.js'

const open: ProcessPoolExecutor[] = []
function track(pool: ProcessPoolExecutor): ProcessPoolExecutor {
  open.push(pool)
  return pool
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((pool) => pool.shutdown({ wait: true, cancelFutures: true })))
})

/** Doubles `x` and says which child did it. */
const doubleInChild = (x: number): [number, number] => [x * 2, process.pid]

describe('minWorkers', () => {
  it('starts that many children at construction, before any submit, and keeps them while idle', { timeout: 30_000 }, async () => {
    const pool = track(new ProcessPoolExecutor({ maxWorkers: 3, minWorkers: 2, idleTimeout: 10 }))
    expect(pool.stats().workers).toBe(2)
    const first = pool.pids
    expect(first).toHaveLength(2)
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((x) => pool.submit(doubleInChild, x)))
    expect(results.map(([value]) => value)).toEqual([2, 4, 6, 8, 10, 12])
    await until(() => pool.pids.length === 2, 'the idle children beyond minWorkers to end')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(pool.pids).toHaveLength(2)
    for (const pid of pool.pids) expect(alive(pid)).toBe(true)
  })

  it('an idle pool with minWorkers does not keep the parent alive (a child process exits by itself)', { timeout: 30_000 }, async () => {
    const script = fileURLToPath(new URL('./fixtures/idle-min-workers.mjs', import.meta.url))
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string; signal: string | null }>((resolve) => {
      const child = execFile(process.execPath, [script], { timeout: 20_000 }, (error, stdout, stderr) => {
        resolve({ code: child.exitCode, stdout, stderr, signal: error?.signal ?? null })
      })
    })
    expect(result.signal).toBeNull()
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const out = JSON.parse(result.stdout) as { before: number; result: number; children: number[] }
    expect(out).toMatchObject({ before: 2, result: 42 })
    // its children go with it
    await until(() => out.children.every((pid) => !alive(pid)), 'the children of the exited parent to exit')
  })

  it('is validated, naming the option', () => {
    expect(() => new ProcessPoolExecutor({ maxWorkers: 2, minWorkers: 3 })).toThrow(RangeError)
    expect(() => new ProcessPoolExecutor({ maxWorkers: 2, minWorkers: 3 })).toThrow('minWorkers must be an integer from 0 to maxWorkers (2), got 3')
    expect(() => new ProcessPoolExecutor({ minWorkers: 1.5 })).toThrow(TypeError)
  })
})

describe('maxTasksPerWorker', () => {
  it('replaces a child after that many tasks, under load, with no future lost', { timeout: 180_000 }, async () => {
    const pool = track(new ProcessPoolExecutor({ maxWorkers: 2, maxTasksPerWorker: 7 }))
    const inputs = Array.from({ length: 300 }, (_, i) => i)
    const results = await Promise.all(inputs.map((x) => pool.submit(doubleInChild, x)))
    expect(results.map(([value]) => value)).toEqual(inputs.map((x) => x * 2))
    const perChild = new Map<number, number>()
    for (const [, pid] of results) perChild.set(pid, (perChild.get(pid) ?? 0) + 1)
    expect(Math.max(...perChild.values())).toBeLessThanOrEqual(7)
    expect(perChild.size).toBeGreaterThanOrEqual(Math.ceil(300 / 7))
  })

  it('maxTasksPerChild is its alias; both with different values is an error naming both', { timeout: 30_000 }, async () => {
    const pool = track(new ProcessPoolExecutor({ maxWorkers: 1, maxTasksPerChild: 2 }))
    const results = await Promise.all([1, 2, 3, 4].map((x) => pool.submit(doubleInChild, x)))
    expect(new Set(results.map(([, pid]) => pid)).size).toBe(2)
    expect(() => new ProcessPoolExecutor({ maxTasksPerChild: 2, maxTasksPerWorker: 3 })).toThrow(RangeError)
    expect(() => new ProcessPoolExecutor({ maxTasksPerChild: 2, maxTasksPerWorker: 3 })).toThrow(
      'maxTasksPerWorker (3) and maxTasksPerChild (2) differ',
    )
    track(new ProcessPoolExecutor({ maxTasksPerChild: 2, maxTasksPerWorker: 2 }))
  })

  it('is validated, naming the option', () => {
    expect(() => new ProcessPoolExecutor({ maxTasksPerWorker: 0 })).toThrow('maxTasksPerWorker must be an integer >= 1')
    expect(() => new ProcessPoolExecutor({ maxTasksPerWorker: '2' as never })).toThrow(TypeError)
  })
})
