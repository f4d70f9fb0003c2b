// A thread's start: the pool sends the first task as the thread starts (it waits in the thread's
// port), and the thread runs it only once its initializer is done.
import { BrokenThreadPoolError, ThreadPoolExecutor, WorkerExitError } from '@x/thread-pool'
import { describe, expect, it } from 'vitest'
import { fixture, rejection, runScript, track } from './helpers.js'

describe('the first task, sent while its thread starts', () => {
  it('runs after the initializer, even a slow one', async () => {
    const pool = track(
      new ThreadPoolExecutor({
        maxWorkers: 1,
        initializer: async () => {
          await new Promise((resolve) => setTimeout(resolve, 200))
          ;(globalThis as Record<string, unknown>).initDone = 'yes'
        },
      }),
    )
    expect(await pool.submit(() => (globalThis as Record<string, unknown>).initDone ?? 'not yet')).toBe('yes')
  })

  it('never runs when the initializer throws: its future fails with the BrokenThreadPoolError', async () => {
    const pool = track(
      new ThreadPoolExecutor({
        maxWorkers: 1,
        initializer: async () => {
          await new Promise((resolve) => setTimeout(resolve, 200))
          throw new RangeError('no start')
        },
      }),
    )
    const ran = new SharedArrayBuffer(4)
    const error = (await rejection(pool.submit((sab: SharedArrayBuffer) => Atomics.store(new Int32Array(sab), 0, 1), ran))) as BrokenThreadPoolError
    expect(error).toBeInstanceOf(BrokenThreadPoolError)
    expect((error.cause as Error).message).toBe('no start')
    // give a task that would have run meanwhile the time to show
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(Atomics.load(new Int32Array(ran), 0)).toBe(0)
  })

  it('that ends its thread fails with the exit code, and is not taken for a thread that failed to start', async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
    // (five threads in a row that die while starting break the pool)
    for (let i = 0; i < 7; i++) {
      const error = (await rejection(pool.submit(fixture('exitWith'), 3))) as WorkerExitError
      expect(error).toBeInstanceOf(WorkerExitError)
      expect(error.exitCode).toBe(3)
    }
    expect(await pool.submit(fixture('pow'), 2, 5)).toBe(32)
  })

  it('has its result when the pool is shut down right after it was made; no thread is left', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 2 })
    const future = pool.submit(fixture('pow'), 2, 5)
    await pool.shutdown()
    expect(await future).toBe(32)
    expect(pool.workerCount).toBe(0)
    const empty = new ThreadPoolExecutor({ maxWorkers: 2 })
    await empty.shutdown()
    expect(empty.workerCount).toBe(0)
  })

  // The thread's reply to its session and the first result come on two ports, in either order:
  // when the result came first and the script shut the pool down at once, the late reply used to
  // unreference the thread being ended, and about one run in ten ended with exit code 13. So it is
  // run 32 times, 4 at a time.
  it('a script whose last step is `await pool.shutdown()` right after its first result exits 0, every time', { timeout: 60_000 }, async () => {
    const results: Awaited<ReturnType<typeof runScript>>[] = []
    for (let round = 0; round < 8; round++) {
      results.push(...(await Promise.all(Array.from({ length: 4 }, () => runScript('./fixtures/shutdown-after-first-result.mjs')))))
    }
    expect(results.filter((r) => r.code !== 0 || r.stdout !== 'first')).toEqual([])
  })

  it('keeps the process alive until its result is in (a script that awaits nothing)', async () => {
    const result = await runScript('./fixtures/first-task-keeps-alive.mjs')
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('done after 300 ms')
  })
})
