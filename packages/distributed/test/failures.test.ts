// Lost workers, an unreachable Redis, nested work on a single slot: real processes, real signals.
import { writeFileSync } from 'node:fs'
import { Queue } from 'bullmq'
import { describe, expect, it } from 'vitest'
import { task } from '@x/future'
import { DistributedExecutor, RedisUnavailableError, WorkerLostError, serve } from '@x/distributed'
import { AsyncPoolExecutor } from '@x/future'
import { WorkerDiedError } from '@x/pool-kit'
import { REDIS_URL, cleanUpAfterAll, freshQueue, hasRedis, requireRedisInCi, root, startWorker, until, recordedLines, scratchFiles } from './helpers.js'

requireRedisInCi()
cleanUpAfterAll()

const tasks = new URL('tasks.mjs', root)
const add = task<(a: number, b: number) => number>(tasks, 'add')
const pid = task<() => number>(tasks, 'pid')
const recordThenWait = task<(file: string, latch: string, value: unknown) => unknown>(tasks, 'recordThenWait')
const recordThenExit = task<(file: string) => never>(tasks, 'recordThenExit')

/** heartbeat 400 ms in the workers (key lives 2 s), checks every 200 ms here: the loss is seen in ~2.2 s. The bound leaves room for a loaded machine. */
const BOUND_MS = 10_000

const file = scratchFiles('x-dist-fail-')

const lines = recordedLines

describe.skipIf(!hasRedis)('a worker killed mid-task', () => {
  it('fails that future with WorkerLostError, runs nothing twice, and the other worker keeps serving', async () => {
    const queue = freshQueue('kill')
    const [a, b] = await Promise.all([startWorker({ queue, concurrency: 1 }), startWorker({ queue, concurrency: 1 })])
    await using ex = new DistributedExecutor({ connection: REDIS_URL, queue, root, maxWorkers: 2, checkInterval: 200 })
    const record = file('kill-runs')
    const latch = file('kill-latch')
    const victimFuture = ex.submit(recordThenWait, record, latch, 'victim')
    await until(() => lines(record).length === 1, 'the task to start')
    const victimPid = Number(lines(record)[0])
    const [victim, survivor] = victimPid === a.child.pid ? [a, b] : [b, a]
    expect(victim.child.pid).toBe(victimPid)
    process.kill(-victimPid, 'SIGKILL')
    expect(await victim.exited).toBe('SIGKILL')
    const error = (await victimFuture.exception(BOUND_MS)) as WorkerLostError
    expect(error).toBeInstanceOf(WorkerLostError)
    expect(error).toBeInstanceOf(WorkerDiedError) // the pools' "a worker died" base class
    expect(error.code).toBe('ERR_WORKER_LOST')
    expect(error.workerId).toBe(victim.id)
    // the survivor serves on
    const pids = await Promise.all(Array.from({ length: 6 }, () => ex.submit(pid)))
    expect(new Set(pids)).toEqual(new Set([survivor.child.pid]))
    writeFileSync(latch, 'go')
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(lines(record)).toEqual([String(victimPid)]) // never run a second time
  })

  // A worker starts a fresh job's task as its start marker goes out (fresh-start.ts): a task that
  // ends its process in that turn dies before the marker's write leaves. The job, orphaned and
  // unmarked, once looked never started, and its executor sent it again (packages/reliability's
  // chaos runs: calls run 2-4 times). The executor now takes the worker BullMQ handed the job to
  // (the job's processedBy) as its worker: the future fails with WorkerLostError naming it.
  it('ends the process in the turn the task started in: WorkerLostError, and the task does not run again', async () => {
    const queue = freshQueue('exit')
    const [a, b] = await Promise.all([startWorker({ queue, concurrency: 1 }), startWorker({ queue, concurrency: 1 })])
    await using ex = new DistributedExecutor({ connection: REDIS_URL, queue, root, maxWorkers: 2, checkInterval: 200 })
    // both workers have tasks.mjs loaded: the task then runs in the turn its job arrives in
    const seen = new Set<number>()
    await until(async () => {
      for (const served of await Promise.all(Array.from({ length: 8 }, () => ex.submit(pid)))) seen.add(served)
      return seen.size === 2
    }, 'both workers to serve')
    const record = file('exit-runs')
    const error = (await ex.submit(recordThenExit, record).exception(BOUND_MS)) as WorkerLostError
    expect(error).toBeInstanceOf(WorkerLostError)
    const [runner] = lines(record)
    const [victim, survivor] = Number(runner) === a.child.pid ? [a, b] : [b, a]
    expect(await victim.exited).toBe(3)
    expect(error.workerId).toBe(victim.id)
    // the survivor serves on, and never ran the task
    expect(new Set(await Promise.all(Array.from({ length: 4 }, () => ex.submit(pid))))).toEqual(new Set([survivor.child.pid]))
    expect(lines(record)).toEqual([String(victim.child.pid)])
  })

  it('is noticed even when no other worker is alive; retries: 1 runs it again on a new worker', async () => {
    const queue = freshQueue('last')
    const only = await startWorker({ queue, concurrency: 1 })
    const ex = new DistributedExecutor({ connection: REDIS_URL, queue, root, maxWorkers: 1, checkInterval: 200 })
    const record = file('last-runs')
    const latch = file('last-latch')
    const lost = ex.submit(recordThenWait, record, latch, 'lost')
    await until(() => lines(record).length === 1, 'the task to start')
    process.kill(-(only.child.pid ?? 0), 'SIGKILL')
    expect(await lost.exception(BOUND_MS)).toBeInstanceOf(WorkerLostError)
    await ex.shutdown()

    const retrying = new DistributedExecutor({ connection: REDIS_URL, queue, root, maxWorkers: 1, checkInterval: 200, retries: 1 })
    const record2 = file('retry-runs')
    const again = retrying.submit(recordThenWait, record2, latch, 'again')
    const first = await startWorker({ queue, concurrency: 1 })
    await until(() => lines(record2).length === 1, 'the task to start')
    process.kill(-(first.child.pid ?? 0), 'SIGKILL')
    const second = await startWorker({ queue, concurrency: 1 })
    await until(() => lines(record2).length === 2, 'the retry to start', BOUND_MS)
    writeFileSync(latch, 'go')
    expect(await again.result(BOUND_MS)).toBe('again')
    expect(lines(record2)).toEqual([String(first.child.pid), String(second.child.pid)])
    await retrying.shutdown()
  })
})

describe.skipIf(!hasRedis)('a job BullMQ drops before any worker reports starting it', () => {
  // The executor cannot tell a job removed while it waited from one a worker fetched, started
  // (fresh-start.ts: before its start marker is set) and died with, once BullMQ no longer has it:
  // it never sends such a job again on its own; `retries` does.
  it('fails with WorkerLostError instead of staying RUNNING forever; with retries: 1 it is sent once more', async () => {
    const queue = freshQueue('dropped')
    await using ex = new DistributedExecutor({ connection: REDIS_URL, queue, root, maxWorkers: 1, checkInterval: 100 })
    await using retrying = new DistributedExecutor({ connection: REDIS_URL, queue, root, maxWorkers: 1, checkInterval: 100, retries: 1 })
    const f = ex.submit(add, 1, 2) // no worker serves the queue: the job waits in BullMQ
    const g = retrying.submit(add, 3, 4)
    await until(() => f.running() && g.running(), 'the jobs to be handed over')
    const bull = new Queue(queue, { connection: { url: REDIS_URL } })
    const removed = new Set<string>()
    const removeOne = async (i: number): Promise<void> => {
      await until(async () => (await bull.getWaiting()).some((job) => !removed.has(String(job.id))), `job ${String(i)} to reach BullMQ`, BOUND_MS)
      const job = (await bull.getWaiting()).find((j) => !removed.has(String(j.id)))
      removed.add(String(job?.id))
      await job?.remove()
    }
    try {
      // an operator cleaning the queue, or BullMQ failing the jobs
      await removeOne(1)
      await removeOne(2)
      const error = (await f.exception(BOUND_MS)) as WorkerLostError
      expect(error).toBeInstanceOf(WorkerLostError)
      expect(error.message).toContain('BullMQ no longer has job')
      expect(error.workerId).toBeUndefined()
      // the retrying executor sent its call once more: removed again, it fails too
      await removeOne(3)
      const second = (await g.exception(BOUND_MS)) as WorkerLostError
      expect(second).toBeInstanceOf(WorkerLostError)
      expect(second.message).toContain('after 1 retries')
    } finally {
      await bull.close()
    }
    expect(removed.size).toBe(3)
  })

})

describe.skipIf(!hasRedis)('Redis unreachable', () => {
  it('fails the futures with RedisUnavailableError naming the address, without hanging', async () => {
    const ex = new DistributedExecutor({ connection: 'redis://127.0.0.1:1', queue: 'nowhere', root, maxWorkers: 1 })
    const error = (await ex.submit(add, 1, 2).exception(20_000)) as RedisUnavailableError
    expect(error).toBeInstanceOf(RedisUnavailableError)
    expect(error.code).toBe('ERR_REDIS_UNAVAILABLE')
    expect(error.message).toContain('127.0.0.1:1')
    await ex.shutdown()
  })

  it('serve() rejects with RedisUnavailableError', async () => {
    const executor = new AsyncPoolExecutor({ maxWorkers: 1 })
    await expect(serve({ connection: 'redis://127.0.0.1:1', queue: 'nowhere', root, executor })).rejects.toBeInstanceOf(RedisUnavailableError)
    await executor.shutdown()
  })
})
