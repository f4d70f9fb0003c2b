// The per-job savings of the worker's path, each shown on a real Redis: a job starts without a start
// envelope, and the executor's lost-worker check learns who started it from its start marker; a
// worker's commands of one event-loop turn go out in one socket write.
import type { Socket } from 'node:net'
import { Redis } from 'ioredis'
import type { Queue } from 'bullmq'
import { afterEach, describe, expect, it } from 'vitest'
import { AsyncPoolExecutor, Future, task } from '@x/future'
import { DistributedExecutor, serve } from '@x/distributed'
import { newItem } from '../src/item.js'
import type { Item } from '../src/item.js'
import { checkStarted, checkUnstarted } from '../src/lost-check.js'
import { keys } from '../src/protocol.js'
import { batchWrites } from '../src/write-batch.js'
import { REDIS_URL, cleanUpAfterAll, freshQueue, hasRedis, requireRedisInCi, root, until } from './helpers.js'

requireRedisInCi()
cleanUpAfterAll()

describe.skipIf(!hasRedis)('quiet starts and batched writes', () => {
  const clients: Redis[] = []
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect()
  })
  const client = (): Redis => {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null })
    clients.push(redis)
    return redis
  }
  /** A RUNNING future's item, handed over just now: too young for the unstarted-job checks. */
  const handedItem = (jobId: string): Item => {
    const future = new Future()
    future.setRunningOrNotifyCancel()
    const item = newItem(future, { kind: 'task', path: 'tasks.mjs', exportName: 'add', name: 'add' }, '', jobId, false)
    item.addedAt = performance.now()
    return item
  }
  /** The lost-worker check's view of one handed item, recording what it declares lost. */
  const checkOf = (redis: Redis, queue: string, item: Item, lost: { item: Item; workerId: string | undefined }[]) => ({
    redis,
    queue,
    bull: undefined as unknown as Queue, // not reached: the item is not old enough to be looked up in BullMQ
    checkInterval: 60_000,
    handed: new Map([[item.jobId, item]]),
    lost: (lostItem: Item, workerId: string | undefined) => lost.push({ item: lostItem, workerId }),
    reconnectedAt: () => undefined,
  })

  it("the lost-worker check reads who started a job from its start marker, and fails it once that worker's heartbeat is gone", async () => {
    const queue = freshQueue('quiet')
    const redis = client()
    const item = handedItem('job-1')
    const lost: { item: Item; workerId: string | undefined }[] = []
    const check = checkOf(redis, queue, item, lost)
    // no worker started it yet: nothing known
    await checkUnstarted(check)
    expect(item.workerId).toBeUndefined()
    // a worker's start script set the marker (its id), without pushing a start envelope
    await redis.set(keys(queue).ran(item.jobId), 'worker-a', 'PX', 60_000)
    await checkUnstarted(check)
    expect(item.workerId).toBe('worker-a')
    // worker-a has no heartbeat key: it is gone, and the job with it
    await checkStarted(check)
    expect(lost).toEqual([{ item, workerId: 'worker-a' }])
  })

  it("the executor's own claim on a marker is not a worker", async () => {
    const queue = freshQueue('quiet-claim')
    const redis = client()
    const item = handedItem('job-2')
    await redis.set(keys(queue).ran(item.jobId), '-', 'PX', 60_000)
    const fail = (): never => {
      throw new Error('not expected')
    }
    await checkUnstarted({ redis, queue, bull: undefined as unknown as Queue, checkInterval: 60_000, handed: new Map([[item.jobId, item]]), lost: fail, reconnectedAt: () => undefined })
    expect(item.workerId).toBeUndefined()
  })

  it('a job a worker fetched but never marked (it may have started it) is that worker\'s: failed once its heartbeat is gone, never sent again', async () => {
    const queue = freshQueue('quiet-fetched')
    const redis = client()
    const item = handedItem('job-3')
    const lost: { item: Item; workerId: string | undefined }[] = []
    const check = checkOf(redis, queue, item, lost)
    // BullMQ's fetch wrote the fetching worker's name (serve() names it by worker id); no marker
    await redis.hset(`bull:${queue}:${item.jobId}`, 'pb', 'worker-b', 'processedOn', String(Date.now()))
    await checkUnstarted(check)
    expect([item.workerId, item.fetched]).toEqual(['worker-b', true])
    // its marker, once seen, says it started there
    await redis.set(keys(queue).ran(item.jobId), 'worker-b', 'PX', 60_000)
    await checkUnstarted(check)
    expect([item.workerId, item.fetched]).toEqual(['worker-b', false])
    // worker-b has no heartbeat key: the job is lost with it
    await checkStarted(check)
    expect(lost).toEqual([{ item, workerId: 'worker-b' }])
  })

  it('sends the commands of one event-loop turn in one socket write, in order, and the next turn in another', async () => {
    const redis = client()
    await redis.ping()
    batchWrites(redis)
    type Write = (this: Socket, ...args: unknown[]) => unknown
    const socket = (redis as unknown as { stream: Socket & { _write: Write; _writev: Write } }).stream
    let writes = 0
    for (const method of ['_write', '_writev'] as const) {
      const original = socket[method].bind(socket)
      socket[method] = (...args: unknown[]) => {
        writes++
        return original(...args)
      }
    }
    const key = `t-batch-${String(process.pid)}-${String(Date.now())}`
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => redis.rpush(key, String(i))))
    expect(replies).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    expect(writes).toBe(1)
    expect(await redis.lrange(key, 0, -1)).toEqual(Array.from({ length: 20 }, (_, i) => String(i)))
    expect(writes).toBe(2)
    await redis.del(key)
  })

  it('marks a call without a signal so that its worker prepares no abort, and a call with one not', async () => {
    const queue = freshQueue('no-signal')
    const redis = client()
    const add = task<(a: number, b: number) => number>(new URL('tasks.mjs', root), 'add')
    await using ex = new DistributedExecutor({ connection: REDIS_URL, queue, root, maxWorkers: 2 })
    const plain = ex.submit(add, 1, 1)
    const signalled = ex.submitWith({ signal: new AbortController().signal }, add, 2, 2)
    // no worker yet: both jobs wait in BullMQ
    const data = async (): Promise<Record<string, unknown>[]> => {
      const found = (await redis.keys(`bull:${queue}:*`)).filter((key) => /:[\w-]{16}-\d+$/u.test(key))
      return Promise.all(found.map(async (key) => JSON.parse((await redis.hget(key, 'data')) ?? '{}') as Record<string, unknown>))
    }
    await until(async () => (await data()).length === 2, 'both jobs in BullMQ')
    const byArgs = await data()
    // only the call with a signal is marked abortable (a: 1), neither asks for a start envelope (l: 1): nobody listens to future:start here
    expect(byArgs.filter((d) => d.a === 1)).toHaveLength(1)
    expect(byArgs.every((d) => d.l === undefined && d.d !== undefined)).toBe(true)
    const local = new AsyncPoolExecutor({ maxWorkers: 2 })
    await using worker = await serve({ connection: REDIS_URL, queue, root, executor: local })
    expect(await Promise.all([plain, signalled])).toEqual([2, 4])
    await worker.close()
    await local.shutdown()
  })
})
