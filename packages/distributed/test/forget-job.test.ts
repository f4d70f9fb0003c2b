// What an executor leaves in Redis for a job that will never report (forgetJob in lost-check.ts),
// on a real Redis and BullMQ: a dead worker's job goes with its start marker and abort key; a
// job a live worker took again meanwhile (BullMQ's stalled check moved it back to the wait list,
// and the next worker fails it without running it) keeps a marker, but as the executor's claim
// with a short lifetime, not as the dead worker's marker for a day. The chaos suite found that one
// (`packages/reliability/test/distributed-chaos.test.ts`, once in five runs): pinned here.
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { CLAIM_TTL_MS, forgetJob } from '../src/lost-check.js'
import { RAN_TTL_MS, keys } from '../src/protocol.js'
import { REDIS_URL, cleanUpAfterAll, freshQueue, hasRedis, requireRedisInCi } from './helpers.js'

requireRedisInCi()
cleanUpAfterAll()

describe.skipIf(!hasRedis)('forgetJob: a job that will never report', () => {
  const closers: (() => Promise<unknown>)[] = []
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close()
  })

  /** A queue with one job in BullMQ (as an executor adds it), started by `worker` (its marker), with an abort key. */
  async function startedJob(label: string, worker: string) {
    const queue = freshQueue(label)
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null })
    const bull = new Queue(queue, { connection: { url: REDIS_URL } })
    closers.push(async () => redis.quit(), () => bull.close())
    const jobId = 'job-1'
    await bull.add('task', {}, { jobId, removeOnComplete: true, removeOnFail: true, attempts: 1 })
    const k = keys(queue)
    await redis.multi().set(k.ran(jobId), worker, 'PX', RAN_TTL_MS).set(k.abort(jobId), 'reason', 'PX', 60_000).exec()
    return { queue, redis, bull, jobId, k }
  }

  it("drops a dead worker's lock, removes the job, and deletes its marker and abort key", async () => {
    const { queue, redis, bull, jobId, k } = await startedJob('forget-dead', 'worker-dead')
    await redis.set(`bull:${queue}:${jobId}:lock`, 'token-of-worker-dead', 'PX', 30_000)
    await forgetJob(redis, bull, queue, jobId, true)
    expect(await redis.exists(`bull:${queue}:${jobId}`, k.ran(jobId), k.abort(jobId))).toBe(0)
  })

  it("keeps its own claim on a job no worker reported starting, and deletes the abort key", async () => {
    const { queue, redis, bull, jobId, k } = await startedJob('forget-claimed', '-')
    await forgetJob(redis, bull, queue, jobId, false)
    expect(await redis.exists(`bull:${queue}:${jobId}`, k.abort(jobId))).toBe(0)
    expect(await redis.get(k.ran(jobId))).toBe('-')
  })

  it("a job locked again after the dead worker's lock was dropped stays in BullMQ, its marker turned into the executor's short-lived claim", async () => {
    const { queue, redis, bull, jobId, k } = await startedJob('forget-relocked', 'worker-dead')
    const lock = `bull:${queue}:${jobId}:lock`
    await redis.set(lock, 'token-of-worker-dead', 'PX', 30_000)
    // Right behind forgetJob's DEL of the lock, on the same connection (so before its remove is
    // sent): the lock is taken again, as the worker that fetched the stalled job does.
    type Send = (this: Redis, command: { name: string; args: unknown[] }, ...rest: unknown[]) => unknown
    const target = redis as unknown as { sendCommand: Send }
    const original = target.sendCommand
    target.sendCommand = function (this: Redis, command, ...rest) {
      const sent = original.call(this, command, ...rest)
      if (command.name === 'del' && command.args[0] === lock) {
        target.sendCommand = original
        void this.set(lock, 'token-of-the-next-worker', 'PX', 30_000)
      }
      return sent
    }
    await forgetJob(redis, bull, queue, jobId, true)
    expect(target.sendCommand).toBe(original) // the interleaving happened
    expect(await redis.get(lock)).toBe('token-of-the-next-worker')
    expect(await redis.exists(`bull:${queue}:${jobId}`)).toBe(1) // a locked job is not BullMQ's to remove
    expect(await redis.get(k.ran(jobId))).toBe('-')
    const ttl = await redis.pttl(k.ran(jobId))
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(CLAIM_TTL_MS)
    expect(await redis.exists(k.abort(jobId))).toBe(0)
  })
})
