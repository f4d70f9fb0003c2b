/**
 * The distributed backend of the chaos runs: a `DistributedExecutor` on a fresh queue of the
 * Redis at `REDIS_URL`, served by real `x-worker` processes (half on threads, half running tasks
 * on their own thread, so a task's `process.exit` or uncaught error ends the whole x-worker),
 * replaced as they die. After the run it checks that the workers stop cleanly on SIGTERM and
 * what the queue left in Redis, then deletes the queue's keys.
 *
 * @module
 */
import { randomBytes } from 'node:crypto'
import { setTimeout as delay } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { DistributedExecutor, WorkerLostError } from '@x/concurrent'
import type { Executor } from '@x/future'
import type { ChaosBackend } from './backend.js'
import { XWorkerCluster } from './cluster.js'

/** The Redis the distributed runs use. */
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** The folder the chaos tasks live in: the executor's and the workers' root. */
const root = fileURLToPath(new URL('../fixtures/', import.meta.url))

/** Heartbeat of the workers (their key lives 5×) and the executor's check interval, ms: a lost worker is seen in ~1.1 s. */
const HEARTBEAT_MS = 200
const CHECK_MS = 100
/** Jobs each x-worker runs at once. */
const CONCURRENCY = 2

const clusters = new WeakMap<Executor, { cluster: XWorkerCluster; queue: string }>()

/** Whether a Redis answers PING at {@link redisUrl} within a second. */
export async function redisAnswers(): Promise<boolean> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null })
  redis.on('error', () => undefined)
  try {
    await redis.connect()
    await redis.ping()
    return true
  } catch {
    return false
  } finally {
    redis.disconnect()
  }
}

/** Every key of `queue` in Redis (BullMQ's `bull:<queue>:*` and ours, `x:<queue>:*`). */
export async function queueKeys(redis: Redis, queue: string): Promise<string[]> {
  const found: string[] = []
  for (const pattern of [`bull:${queue}:*`, `x:${queue}:*`]) {
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
      cursor = next
      found.push(...keys)
    } while (cursor !== '0')
  }
  return found.sort()
}

/**
 * The keys a queue may keep after its executor shut down and its workers stopped: BullMQ's own
 * bookkeeping of the queue (not of any job).
 */
const QUEUE_BOOKKEEPING = /^bull:[^:]+:(meta|id|events|stalled-check|marker)$/

/**
 * What the queue left in Redis that it should not have, as lines: any key of a job, a worker, a
 * result list, a start marker or an abort. BullMQ's stalled-job set may still name jobs that are
 * gone (its next check empties it), and the worker registry the ids of killed workers whose
 * heartbeat expired (the next reader drops them), and a start marker the executor claimed for a
 * job that never started may stay until it expires (10 minutes); a job or a live registration is
 * a leftover.
 */
export async function leftovers(redis: Redis, queue: string): Promise<string[]> {
  const found: string[] = []
  for (const key of await queueKeys(redis, queue)) {
    if (QUEUE_BOOKKEEPING.test(key)) continue
    if (key === `x:${queue}:workers`) {
      // a killed worker's id stays in the set until the next executor or worker reads it
      for (const id of await redis.smembers(key))
        if ((await redis.exists(`x:${queue}:worker:${id}`)) === 1) found.push(`registered worker ${id}`)
      continue
    }
    if (key.startsWith(`x:${queue}:ran:`) && (await redis.get(key)) === '-' && (await redis.pttl(key)) <= 10 * 60 * 1000) {
      // the executor claimed this never-started job's marker so no late delivery runs it; it expires by itself
      continue
    }
    if (key === `bull:${queue}:stalled`) {
      for (const jobId of await redis.smembers(key))
        if ((await redis.exists(`bull:${queue}:${jobId}`)) === 1) found.push(`BullMQ job ${jobId} (in the stalled set)`)
      continue
    }
    found.push(`Redis key ${key}`)
  }
  return found
}

/** The pid in a worker id (`<host>/<pid>/<random>`, serve()'s default). */
function pidOf(workerId: string | undefined): number | undefined {
  const pid = Number(workerId?.split('/')[1])
  return Number.isInteger(pid) && pid > 0 ? pid : undefined
}

/** `DistributedExecutor` on x-worker processes; see the module comment. */
export const distributedBackend: ChaosBackend = {
  name: 'distributed',
  // an x-worker's threads have no heap limit: an OOM task would take the machine's memory
  never: ['oom'],
  slotsPerWorker: CONCURRENCY,
  async create({ maxWorkers }) {
    const queue = `chaos-${randomBytes(5).toString('hex')}`
    const cluster = new XWorkerCluster({
      connection: redisUrl,
      queue,
      root,
      size: maxWorkers,
      concurrency: CONCURRENCY,
      backendOf: (i) => (i % 2 === 0 ? 'thread' : 'async'),
      heartbeat: HEARTBEAT_MS,
    })
    try {
      await cluster.ready()
    } catch (error) {
      await cluster.stop(1000)
      throw error
    }
    // No maxWorkers: the window is the capacity the live workers register, which drops as they die.
    const executor = new DistributedExecutor({ connection: redisUrl, queue, root, checkInterval: CHECK_MS, name: 'chaos distributed' })
    clusters.set(executor, { cluster, queue })
    return executor
  },
  // A lost x-worker (WorkerLostError), or a thread or child the worker's local pool lost (its
  // error comes back with its code).
  isDeath: (error) =>
    error instanceof WorkerLostError ||
    (error instanceof Error && ['ERR_WORKER_EXITED', 'ERR_PROCESS_EXITED'].includes(String((error as { code?: unknown }).code))),
  pids: (executor) => clusters.get(executor)?.cluster.pids() ?? [],
  deadWorker: (error) => (error instanceof WorkerLostError ? pidOf(error.workerId) : undefined),
  // a remote worker's end is seen only as its heartbeat stopping: any loss may race the log
  abrupt: (error) => error instanceof WorkerLostError,
  deaths: (executor) => clusters.get(executor)?.cluster.deaths ?? 0,
  async dispose(executor) {
    const entry = clusters.get(executor)
    if (entry === undefined) return []
    clusters.delete(executor)
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
    redis.on('error', () => undefined)
    const problems: string[] = []
    try {
      await redis.connect()
      // Jobs a killed worker left in BullMQ are failed (and removed) by the live workers' stalled
      // check within two heartbeat lifetimes: give them that, while the workers still run.
      const jobsLeft = async (): Promise<boolean> =>
        (await leftovers(redis, entry.queue)).some((what) => !what.startsWith('registered worker') && !what.includes(':worker:'))
      for (let waited = 0; waited < 10 * HEARTBEAT_MS + 1000 && (await jobsLeft()); waited += 100) await delay(100)
    } finally {
      problems.push(...(await entry.cluster.stop()))
    }
    try {
      // a killed worker's heartbeat key lives on for its ttl (5 heartbeats)
      let left = await leftovers(redis, entry.queue)
      for (let waited = 0; left.length > 0 && waited < 5 * HEARTBEAT_MS + 1000; waited += 100) {
        await delay(100)
        left = await leftovers(redis, entry.queue)
      }
      problems.push(...left)
      const all = await queueKeys(redis, entry.queue)
      if (all.length > 0) await redis.del(...all)
    } finally {
      redis.disconnect()
    }
    return problems
  },
}
