// Findings of the reliability suite on the distributed executor (packages/reliability: chaos
// with `--backend distributed`, and the bad-input fuzzer), each fixed and kept here: abort reasons
// that lost their name on the way, an abort that came back as a CancelledError, jobs a dying
// worker fetched but never started failing instead of running elsewhere, a lost worker's job left
// behind in Redis, and options refused with untyped errors (or not at all).
import { Queue, Worker } from 'bullmq'
import { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { task } from '@x/future'
import { DistributedExecutor, WorkerLostError } from '@x/distributed'
import { REDIS_URL, cleanUpAfterAll, freshQueue, hasRedis, requireRedisInCi, root, startWorker, until } from './helpers.js'

requireRedisInCi()
cleanUpAfterAll()

const tasks = new URL('tasks.mjs', root)
const add = task<(a: number, b: number) => number>(tasks, 'add')
const untilAborted = task<(ms: number) => string>(tasks, 'untilAborted')
const BOUND_MS = 15_000

const abortError = (message: string): Error => Object.assign(new Error(message), { name: 'AbortError', code: 'E_STOP' })

describe('bad options (shrunk counterexamples of the fuzzer)', () => {
  const base = { queue: 'q', root }
  it.each([
    ['options null', null, TypeError, 'options must be an object'],
    ['root NaN', { ...base, root: Number.NaN }, TypeError, 'root must be'],
    ['connection 5', { ...base, connection: 5 }, TypeError, 'connection must be'],
    ['connection "localhost"', { ...base, connection: 'localhost' }, TypeError, 'connection must be'],
    ['checkInterval Infinity (a timer that fires every 1 ms)', { ...base, checkInterval: Infinity }, RangeError, 'checkInterval'],
    ['retries "2"', { ...base, retries: '2' }, RangeError, 'retries'],
    ['name 5', { ...base, name: 5 }, TypeError, 'name must be a string'],
    ['a misspelt option', { ...base, maxWorker: 2 }, TypeError, 'unknown option "maxWorker"'],
  ])('%s: a typed error naming it, at once', (_, options, type, message) => {
    expect(() => new DistributedExecutor(options as never)).toThrow(type)
    expect(() => new DistributedExecutor(options as never)).toThrow(message)
  })

  it('submitWith() options: a signal that is not an AbortSignal, a name that is not a string, an unknown key', () => {
    const ex = new DistributedExecutor({ ...base, maxWorkers: 1 })
    expect(() => ex.submitWith({ signal: 5 } as never, add, 1, 2)).toThrow('signal must be an AbortSignal')
    expect(() => ex.submitWith({ name: 5 } as never, add, 1, 2)).toThrow('name must be a string')
    expect(() => ex.submitWith({ nme: 'x' } as never, add, 1, 2)).toThrow('unknown option "nme"')
    void ex.shutdown()
  })
})

describe.skipIf(!hasRedis)('aborts of handed-over calls', () => {
  it('the task sees the reason with its name and code, and the future fails with it', async () => {
    const queue = freshQueue('abort-run')
    await startWorker({ queue, concurrency: 1 })
    await using ex = new DistributedExecutor({ connection: REDIS_URL, queue, root })
    const controller = new AbortController()
    const f = ex.submitWith({ signal: controller.signal }, untilAborted, 10_000)
    await until(() => f.running(), 'the call to be handed over')
    await new Promise((resolve) => setTimeout(resolve, 200)) // let it start on the worker
    controller.abort(abortError('stop now'))
    const error = (await f.exception(BOUND_MS)) as Error & { code?: string }
    expect(error.name).toBe('AbortError') // was 'Error': v8 serialization drops an own name
    expect(error.message).toBe('stop now')
    expect(error.code).toBe('E_STOP')
  })

  it('an abort that reaches the worker before it starts the call fails the future with the reason, not a CancelledError', async () => {
    const queue = freshQueue('abort-early')
    // no worker yet: the call is handed to BullMQ (maxWorkers 1) and waits there
    await using ex = new DistributedExecutor({ connection: REDIS_URL, queue, root, maxWorkers: 1 })
    const controller = new AbortController()
    const f = ex.submitWith({ signal: controller.signal }, untilAborted, 10_000)
    await until(() => f.running(), 'the call to be handed over')
    controller.abort(abortError('never mind'))
    await new Promise((resolve) => setTimeout(resolve, 100)) // the abort key is written
    await startWorker({ queue, concurrency: 1 })
    const error = (await f.exception(BOUND_MS)) as Error
    expect(error.name).toBe('AbortError')
    expect(error.message).toBe('never mind')
  })
})

describe.skipIf(!hasRedis)('a worker that fetched a job and died before starting it', () => {
  // It may have started the task (a fresh delivery starts it before its start marker is set), so
  // the executor never sends it again on its own: WorkerLostError, or with retries, a retry.
  it('fails with WorkerLostError (the task may have started); with retries: 1 it runs once elsewhere', async () => {
    const queue = freshQueue('fetched')
    await using ex = new DistributedExecutor({ connection: REDIS_URL, queue, root, maxWorkers: 1, checkInterval: 100 })
    await using retrying = new DistributedExecutor({ connection: REDIS_URL, queue, root, maxWorkers: 1, checkInterval: 100, retries: 1 })
    // A BullMQ worker that takes the jobs and dies at once (a process killed between fetching and
    // starting): its lock expires after 500 ms, the job stays active.
    let fetched = 0
    const dying = new Worker(
      queue,
      async () => {
        fetched++
        await new Promise(() => undefined)
      },
      { connection: { url: REDIS_URL }, lockDuration: 500, stalledInterval: 60_000, maxStalledCount: 0, concurrency: 2 },
    )
    const f = ex.submit(add, 20, 22)
    const g = retrying.submit(add, 1, 2)
    await until(() => fetched === 2, 'the dying worker to fetch both jobs')
    await dying.close(true)
    await startWorker({ queue, concurrency: 1 })
    const error = (await f.exception(BOUND_MS)) as WorkerLostError
    expect(error).toBeInstanceOf(WorkerLostError)
    expect(error.message).toMatch(/its lock expired|BullMQ no longer has job/) // (orphaned, or failed by the new worker's stalled check)
    expect(await g.result(BOUND_MS)).toBe(3)
    // nothing of the first job is left: BullMQ's job and the start marker the executor claimed
    const bull = new Queue(queue, { connection: { url: REDIS_URL } })
    try {
      await until(async () => (await bull.getActiveCount()) === 0, 'the orphaned job to be removed')
    } finally {
      await bull.close()
    }
  })
})

describe.skipIf(!hasRedis)('a lost worker', () => {
  it("leaves nothing of its job in Redis once the future failed (BullMQ's job, the start marker)", async () => {
    const queue = freshQueue('forget')
    const worker = await startWorker({ queue, concurrency: 1, heartbeat: 100 })
    await using ex = new DistributedExecutor({ connection: REDIS_URL, queue, root, checkInterval: 100 })
    const f = ex.submit(untilAborted, 30_000)
    await until(() => f.running(), 'the call to be handed over')
    const bull = new Queue(queue, { connection: { url: REDIS_URL } })
    const redis = new Redis(REDIS_URL)
    try {
      await until(async () => (await bull.getActiveCount()) === 1, 'the worker to take the job')
      await new Promise((resolve) => setTimeout(resolve, 100))
      process.kill(-(worker.child.pid ?? 0), 'SIGKILL')
      await f.exception(BOUND_MS)
      await until(async () => (await bull.getActiveCount()) === 0 && (await redis.keys(`x:${queue}:ran:*`)).length === 0, 'the lost job to be removed')
    } finally {
      await bull.close()
      redis.disconnect()
    }
  })
})
