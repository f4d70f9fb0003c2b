/**
 * An executor's link to Redis: its two connections (commands, and the blocking read of its result
 * list), the BullMQ queue it adds jobs to, the reader and the periodic check, and the Redis side of
 * aborts, lost-job cleanup and closing. The executor keeps the futures; this keeps the sockets.
 *
 * @module
 */
import { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import { RedisClient } from './connection.js'
import type { Connection } from './connection.js'
import { toJobs } from './item.js'
import type { Item } from './item.js'
import { forgetJob } from './lost-check.js'
import { RESULT_TTL_MS, encodeAbort, keys } from './protocol.js'
import { readResults } from './reader.js'
import { liveWorkers } from './registry.js'


/** How long `close()` lets its last writes wait for Redis before it ends the connections (milliseconds). */
const CLOSE_GRACE_MS = 5000

/** What a session tells its executor. */
export interface SessionHooks {
  /** An envelope read from the result list. */
  receive(data: Buffer): void
  /** Every `checkInterval` once connected (the executor skips it while idle). */
  check(): Promise<void>
}

/** One executor's connections and what it does through them. */
export class Session {
  readonly redis: Redis
  readonly bull: Queue
  readonly #cmd: RedisClient
  readonly #block: RedisClient
  readonly #queue: string
  readonly #resultKey: string
  readonly #keys: ReturnType<typeof keys>
  /** Redis writes in the background: aborts, lost jobs being removed (awaited before the connections close). */
  readonly #cleanups = new Set<Promise<unknown>>()
  /** The abort written for each job that has not ended yet. */
  readonly #aborts = new Map<string, Promise<unknown>>()
  #timer: NodeJS.Timeout | undefined
  #closed = false
  /** When the command connection last came back after a drop (performance.now()). */
  #reconnectedAt: number | undefined

  /** Connects; rejects with `RedisUnavailableError` (both connections closed) when Redis cannot be reached. */
  static async open(connection: Connection, name: string, queue: string, resultKey: string, referenced: boolean): Promise<Session> {
    const cmd = new RedisClient(connection, name)
    const block = new RedisClient(connection, `${name}-results`)
    cmd.ref(referenced)
    block.ref(referenced)
    try {
      await Promise.all([cmd.ready(), block.ready()])
    } catch (error) {
      await Promise.all([cmd.close(), block.close()])
      throw error
    }
    return new Session(cmd, block, queue, resultKey)
  }

  private constructor(cmd: RedisClient, block: RedisClient, queue: string, resultKey: string) {
    this.#cmd = cmd
    this.#block = block
    this.redis = cmd.redis
    this.#queue = queue
    this.#resultKey = resultKey
    this.#keys = keys(queue)
    this.bull = new Queue(queue, { connection: cmd.redis })
    this.bull.on('error', () => undefined)
    // connected already: every 'ready' from now on is a reconnect (after a Redis restart, maybe)
    cmd.redis.on('ready', () => {
      this.#reconnectedAt = performance.now()
    })
  }

  /** When the command connection last came back after a drop (`performance.now()`), if it did. */
  get reconnectedAt(): number | undefined {
    return this.#reconnectedAt
  }

  /** Starts reading the result list and the periodic check, until `close()`. */
  run(hooks: SessionHooks, checkInterval: number): void {
    void readResults(this.#block, this.#cmd, this.#resultKey, () => this.#closed, (data) => {
      hooks.receive(data)
    })
    this.#timer = setInterval(() => void hooks.check(), checkInterval).unref()
  }

  /** Whether the sockets keep the process alive (only while work is outstanding). */
  ref(on: boolean): void {
    this.#cmd.ref(on)
    this.#block.ref(on)
  }

  /** Adds handed-over items to BullMQ as jobs replying to this executor's result list. */
  async add(items: readonly Item[]): Promise<void> {
    await this.bull.addBulk(toJobs(items))
  }

  /** The capacity the live workers of the queue registered. */
  async liveCapacity(): Promise<number> {
    let capacity = 0
    for (const info of (await liveWorkers(this.redis, this.#queue)).values()) capacity += info.capacity
    return capacity
  }

  /** Asks the worker running `jobId` to abort it (or the worker about to start it, via the abort key). */
  abort(jobId: string, reason: unknown): void {
    const encoded = encodeAbort(jobId, reason)
    const write = this.redis
      .multi()
      .set(this.#keys.abort(jobId), encoded, 'PX', RESULT_TTL_MS)
      .publish(this.#keys.abortChannel, encoded)
      .exec()
      .catch(() => undefined)
    this.#aborts.set(jobId, write)
    this.#track(write)
  }

  /**
   * `jobId` ended on its worker. The worker deletes the job's abort key as it finishes, but an
   * abort written after that would stay until its TTL: delete it once the write is done.
   */
  jobEnded(jobId: string): void {
    const write = this.#aborts.get(jobId)
    if (write === undefined) return
    this.#aborts.delete(jobId)
    this.#track(write.then(() => this.redis.del(this.#keys.abort(jobId))).catch(() => undefined))
  }

  /** Publishes `message` on `channel` (the worker runtime's slot lending). */
  publish(channel: string, message: string): void {
    void this.redis.publish(channel, message).catch(() => undefined)
  }

  /** Removes a job that will never report from Redis, in the background (see `forgetJob`). */
  forget(jobId: string, workerGone: boolean): void {
    this.#aborts.delete(jobId) // forgetJob deletes its abort key
    this.#track(forgetJob(this.redis, this.bull, this.#queue, jobId, workerGone).catch(() => undefined))
  }

  /** Keeps `work` (which never rejects) until it settles: close() waits for it. */
  #track(work: Promise<unknown>): void {
    this.#cleanups.add(work)
    void work.finally(() => this.#cleanups.delete(work))
  }

  /** Stops reading and checking, finishes the cleanups, deletes the result list, closes the connections. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#timer !== undefined) clearInterval(this.#timer)
    // An idle executor's sockets are unreferenced: closing is work outstanding, and a program
    // awaiting shutdown() as its last step must not exit before it ends (with the promise unsettled).
    this.ref(true)
    // Commands wait for a Redis that went away (they are retried when it is back): the writes get
    // CLOSE_GRACE_MS, then the connections end and what is still pending fails.
    let timer: NodeJS.Timeout | undefined
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_GRACE_MS)
    })
    await Promise.race([this.#closeGracefully(), grace])
    clearTimeout(timer)
    this.#block.redis.disconnect()
    this.redis.disconnect()
  }

  async #closeGracefully(): Promise<void> {
    await Promise.all(this.#cleanups)
    await this.bull.close().catch(() => undefined)
    this.#block.redis.disconnect()
    await this.redis.del(this.#resultKey).catch(() => undefined)
    await this.#cmd.close()
  }
}
