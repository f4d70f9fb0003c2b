// A worker asked to stop whose tasks outlast close()'s timeout hands them back: their futures fail
// with WorkerLostError at once (not after the heartbeat expires), nothing runs twice, and the
// queue keeps nothing of those jobs in Redis, though no other worker is left to fail them in
// BullMQ. A real worker process, a real SIGTERM.
import { writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { AsyncPoolExecutor, task } from '@x/future'
import { DistributedExecutor, WorkerLostError, serve } from '@x/distributed'
import { REDIS_URL, cleanUpAfterAll, freshQueue, hasRedis, leftoverKeys, requireRedisInCi, root, startWorker, until, recordedLines, scratchFiles } from './helpers.js'

requireRedisInCi()
cleanUpAfterAll()

const recordThenWait = task<(file: string, latch: string, value: unknown) => unknown>(new URL('tasks.mjs', root), 'recordThenWait')
const BOUND_MS = 10_000

const file = scratchFiles('x-dist-hand-back-')
const lines = recordedLines

describe.skipIf(!hasRedis)('a stopping worker hands back the tasks that outlast its close timeout', () => {
  it('fails their futures with WorkerLostError at once, runs nothing twice, and leaves nothing of their jobs in Redis', { timeout: 30_000 }, async () => {
    const queue = freshQueue('hand-back')
    const worker = await startWorker({ queue, concurrency: 2, closeTimeout: 200 })
    const ex = new DistributedExecutor({ connection: REDIS_URL, queue, root, maxWorkers: 2, checkInterval: 200 })
    try {
      const record = file('runs')
      const latch = file('never') // never written: the tasks outlast the timeout
      const futures = [ex.submit(recordThenWait, record, latch, 1), ex.submit(recordThenWait, record, latch, 2)]
      await until(() => lines(record).length === 2, 'both tasks to start')
      process.kill(worker.child.pid ?? 0, 'SIGTERM')
      for (const future of futures) {
        const error = await future.exception(BOUND_MS)
        expect(error).toBeInstanceOf(WorkerLostError)
        expect((error as WorkerLostError).message).toMatch(/handed it back/)
      }
      expect(await worker.exited).toBe(0)
      expect(worker.output()).not.toMatch(/worker error/)
      await ex.shutdown()
      expect(lines(record)).toEqual([String(worker.child.pid), String(worker.child.pid)])
      await until(async () => (await leftoverKeys(queue)).length === 0, 'no keys but the queue bookkeeping', BOUND_MS).catch(async (error: unknown) => {
        throw new Error(`left in Redis: ${(await leftoverKeys(queue)).join(', ')}`, { cause: error })
      })
    } finally {
      await ex.shutdown()
    }
  })

  it('with retries, a handed-back task runs again on another worker', { timeout: 30_000 }, async () => {
    const queue = freshQueue('hand-back-retry')
    const stopping = await startWorker({ queue, concurrency: 1, closeTimeout: 200 })
    const ex = new DistributedExecutor({ connection: REDIS_URL, queue, root, maxWorkers: 1, checkInterval: 200, retries: 1 })
    try {
      const record = file('retry-runs')
      const latch = file('retry-latch')
      const future = ex.submit(recordThenWait, record, latch, 'again')
      await until(() => lines(record).length === 1, 'the task to start')
      process.kill(stopping.child.pid ?? 0, 'SIGTERM')
      expect(await stopping.exited).toBe(0)
      expect(future.done()).toBe(false) // sent again, waiting for a worker
      const next = await startWorker({ queue, concurrency: 1 })
      await until(() => lines(record).length === 2, 'the task to start again', BOUND_MS)
      writeFileSync(latch, 'go')
      expect(await future.result(BOUND_MS)).toBe('again')
      expect(lines(record)).toEqual([String(stopping.child.pid), String(next.child.pid)])
    } finally {
      await ex.shutdown()
    }
  })

  it('a handed-back task that ends later, in a process that lives on, reports nothing and writes nothing', { timeout: 30_000 }, async () => {
    const queue = freshQueue('hand-back-late')
    const errors: unknown[] = []
    const local = new AsyncPoolExecutor({ maxWorkers: 1 })
    const worker = await serve({ connection: REDIS_URL, queue, root, executor: local, heartbeat: 400, onError: (error) => errors.push(error) })
    const ex = new DistributedExecutor({ connection: REDIS_URL, queue, root, maxWorkers: 1, checkInterval: 200 })
    try {
      const record = file('late-runs')
      const latch = file('late-latch')
      const future = ex.submit(recordThenWait, record, latch, 'late')
      await until(() => lines(record).length === 1, 'the task to start')
      await worker.close({ timeout: 100 })
      expect(await future.exception(BOUND_MS)).toBeInstanceOf(WorkerLostError)
      writeFileSync(latch, 'go') // the task ends now, after its worker closed
      await local.shutdown()
      await new Promise((resolve) => setTimeout(resolve, 500))
      expect(errors).toEqual([])
      expect(lines(record)).toHaveLength(1)
      await until(async () => (await leftoverKeys(queue)).length === 0, 'no keys but the queue bookkeeping', BOUND_MS).catch(async (error: unknown) => {
        throw new Error(`left in Redis: ${(await leftoverKeys(queue)).join(', ')}`, { cause: error })
      })
    } finally {
      await ex.shutdown()
      await local.shutdown()
    }
  })
})
