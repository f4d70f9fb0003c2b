import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { Worker } from 'bullmq'
import type { Job } from 'bullmq'
import { CancelledError, serializeError } from '@x/future'
import type { Executor } from '@x/future'
import { RedisClient } from './connection.js'
import type { Connection } from './connection.js'
import { RAN_TTL_MS, RESULT_TTL_MS, decodeAbort, encodeEnvelope, keys, rootPath } from './protocol.js'
import type { WorkerInfo } from './protocol.js'
import { liveWorkers } from './registry.js'
import { JobRelay } from './relay.js'
import type { RunnerContext } from './runner.js'
import { WorkerScripts } from './worker-scripts.js'
import { batchWrites } from './write-batch.js'
import { freshFor } from './fresh-start.js'
import { readJobData } from './job-data.js'
import type { JobData } from './job-data.js'

/**
 * Options of {@link serve}.
 *
 * @since 0.1.0
 */
export interface ServeOptions {
  /** Where Redis is. @default process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' */
  connection?: Connection | undefined
  /** The BullMQ queue to take jobs from. */
  queue: string
  /** Task modules are loaded from this folder only (the jobs carry paths relative to it). */
  root: string | URL
  /** Runs the jobs (a `ThreadPoolExecutor`, `ProcessPoolExecutor`, `AsyncPoolExecutor`, ...). It stays yours: `close()` leaves it running. */
  executor: Executor
  /**
   * Run self-contained functions sent as source text. Off by default: whoever can write to the
   * queue could otherwise run any code on this machine. @default false
   */
  allowSource?: boolean | undefined
  /** Jobs run at once (the capacity registered for executors' default window). @default executor.maxWorkers */
  concurrency?: number | undefined
  /**
   * Milliseconds between heartbeats. The heartbeat key lives five times as long: an executor
   * declares this worker lost once it expired. @default 1000
   */
  heartbeat?: number | undefined
  /** This worker's id, unique on the queue. @default `<hostname>/<pid>/<random>` */
  id?: string | undefined
  /** Errors of the connection or of BullMQ's worker that no job reports (the worker retries by itself). */
  onError?: ((error: Error) => void) | undefined
}

/**
 * Options of {@link DistributedWorker.close}.
 *
 * @since 0.1.0
 */
export interface CloseOptions {
  /**
   * Milliseconds to let running jobs finish; after that they are handed back and the worker
   * closes without waiting for them: their executors treat them as lost (`WorkerLostError` at
   * once, or sent again with `retries`) and remove their jobs. A second `close()` may shorten it.
   * @default Infinity
   */
  timeout?: number | undefined
}

/**
 * A running worker made by {@link serve}.
 *
 * @since 0.1.0
 */
export interface DistributedWorker extends AsyncDisposable {
  /** Its id on the queue. */
  readonly id: string
  /** The queue it serves. */
  readonly queue: string
  /** The folder it loads task modules from. */
  readonly root: string
  /** Jobs it runs at once (without slots lent to waiting tasks). */
  readonly concurrency: number
  /** Jobs running now. */
  readonly running: number
  /**
   * Stops taking jobs, lets the running ones finish (up to `timeout`, then hands them back),
   * unregisters and closes its connections. The executor passed to `serve()` is left running.
   */
  close(options?: CloseOptions): Promise<void>
}

/**
 * Serves a queue: takes jobs from BullMQ and runs them on `executor`, registers its capacity with
 * a heartbeat, reports starts and results to the submitting executors. Rejects with
 * `RedisUnavailableError` when Redis cannot be reached. `x-worker` (in `@x/concurrent`) is this
 * function behind a command line.
 *
 * @example
 * ```ts
 * import { AsyncPoolExecutor } from '@x/future'
 * import { serve } from '@x/distributed'
 *
 * await using worker = await serve({ queue: 'jobs', root: new URL('.', import.meta.url), executor: new AsyncPoolExecutor({ maxWorkers: 4 }) })
 * // ... until the process is told to stop
 * ```
 *
 * @throws {@link RedisUnavailableError} (the promise rejects) when Redis cannot be reached.
 * @since 0.1.0
 */
export async function serve(options: ServeOptions): Promise<DistributedWorker> {
  const connection = options.connection ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
  const queue = options.queue
  if (typeof queue !== 'string' || queue === '' || queue.includes(':')) {
    throw new TypeError(`queue must be a non-empty name without ":", got ${JSON.stringify(queue)}`)
  }
  const root = rootPath(options.root)
  const executor = options.executor
  const concurrency = options.concurrency ?? executor.maxWorkers
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be an integer >= 1, got ${String(concurrency)}`)
  const interval = options.heartbeat ?? 1000
  if (!(interval >= 10)) throw new RangeError(`heartbeat must be a number of milliseconds >= 10, got ${String(interval)}`)
  const id = options.id ?? `${hostname()}/${String(process.pid)}/${randomBytes(3).toString('hex')}`
  const k = keys(queue)
  const info: WorkerInfo = { id, capacity: concurrency, ttl: interval * 5, host: hostname(), pid: process.pid }
  const context: RunnerContext = { connection, queue, root, workerId: id, allowSource: options.allowSource === true }
  const report = (error: unknown): void => {
    options.onError?.(error instanceof Error ? error : new Error(String(error)))
  }

  const cmd = new RedisClient(connection, `x-worker-${id}`)
  const sub = new RedisClient(connection, `x-worker-${id}-control`)
  try {
    await Promise.all([cmd.ready(), sub.ready()])
  } catch (error) {
    await Promise.all([cmd.close(), sub.close()])
    throw error
  }
  const turn = batchWrites(cmd.redis)
  // a job's controller only when its future has a signal (else nothing can abort it: see JobData.n)
  const running = new Map<string, { controller: AbortController | undefined; reply: string }>()
  const relays = new Map<string, JobRelay>()
  const scripts = await WorkerScripts.load(cmd.redis, turn, { prefix: k.jobPrefix, workerId: id, ranTtl: RAN_TTL_MS, replyTtl: RESULT_TTL_MS }, report)
  const beat = (): Promise<unknown> =>
    cmd.redis.multi().set(k.worker(id), JSON.stringify(info), 'PX', info.ttl).sadd(k.workers, id).exec()
  await beat()
  // The start markers of the running jobs, set again: a restarted Redis may have lost them, and the
  // executors' lost-worker checks read them to learn which worker runs a job
  const markRunning = async (): Promise<void> => {
    if (running.size === 0) return
    const batch = cmd.redis.multi()
    for (const jobId of running.keys()) batch.set(k.ran(jobId), id, 'PX', RAN_TTL_MS)
    await batch.exec()
  }
  // Registered again as soon as the connection comes back: a restarted Redis lost the registration
  cmd.redis.on('ready', () => {
    beat().catch(report)
    markRunning().catch(report)
  })
  const timer = setInterval(() => {
    beat().catch(report)
  }, interval)

  let closing: Promise<void> | undefined
  // Slots lent to tasks that wait on nested work: one extra BullMQ worker each (raising a running
  // worker's concurrency does not wake its fetch loop while every slot is busy).
  const lent: { worker: Worker; release: (() => void) | undefined }[] = []
  // The local executor lends one more slot too, through the hook @x/diagnostics' 'compensate' mode
  // uses (every executor of @x/future, @x/thread-pool and @x/process-pool implements it).
  const lendLocal = (): (() => void) | undefined => {
    const hook = (executor as unknown as { lendWorker?: () => (() => void) | undefined }).lendWorker
    return typeof hook === 'function' ? hook.call(executor) : undefined
  }

  // The result, and the job's markers dropped: BullMQ removes a completed job, so it cannot come back.
  // (A job handed back unfinished keeps its marker: it stays in BullMQ until its lock expires.)
  // (`abortable` false: a job nothing can abort, which has no abort key to drop)
  const push = (reply: string, jobId: string, bytes: Uint8Array, finished: boolean, abortable = false): Promise<unknown> =>
    scripts.finish(reply, jobId, abortable, asBuffer(bytes), finished)
  const ignore = (): void => undefined
  // The fresh jobs handed over in this turn, started together once its promise jobs ran (see the
  // processor): each its start and the reject of its processor's promise, in a row
  let starting: ((value: never) => void)[] = []
  const startAll = (): void => {
    const list = starting
    starting = []
    for (let i = 0; i < list.length; i += 2) {
      try {
        ;(list[i] as (started: number) => void)(0)
      } catch (error) {
        ;(list[i + 1] as (error: unknown) => void)(error)
      }
    }
  }

  // The processors' promises of the jobs that finished in this tick, resolved together in the next
  // one: a job finishes inside its local executor's loop, while the task context's hooks are on
  // (they go off once the loop's tasks ran, a microtask later); BullMQ's completions of the jobs,
  // run by these promises, then start with the hooks off (each of their promises costs more with them on).
  let settling: (() => void)[] = []
  const settleAll = (): void => {
    const list = settling
    settling = []
    for (const resolve of list) resolve()
  }

  // Callbacks, not async functions and awaits: with AsyncLocalStorage in use (currentTask()), every
  // promise of the process costs more, so a job makes one (the one BullMQ awaits).
  const processor = (job: Job<JobData>): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const jobId = String(job.id)
      // (this version's job data or the previous one's: job-data.ts)
      const { payload, reply, quiet, abortable } = readJobData(job.data, jobId, queue)
      // the start envelope only when the executor wants it (a stream, a future:start listener): else
      // its lost-worker check reads who started the job from the marker
      const envelope = quiet ? '' : encodeEnvelope({ t: 'start', jobId, workerId: id })
      // (a job without a signal has no abort key to read or drop: see JobData.a)
      // The task runs once the job's start marker is set (START in worker-scripts.ts), or, for a fresh
      // delivery (fresh-start.ts), as the marker goes out: BullMQ never hands a job to a processor
      // twice with the settings below (a stalled job is failed, not retried), and the job's executor
      // never sends again a job a worker fetched (BullMQ records the fetching worker's name, `pb`,
      // with the fetch: lost-check.ts). A late delivery waits for the script, which also refuses a
      // job whose marker its executor claimed before failing its future. (One call at the end of
      // this turn for every job fetched in it: one request, not one each.)
      const begin = (started: number | Buffer): void => {
        const controller = !abortable && !Buffer.isBuffer(started) ? undefined : new AbortController()
        running.set(jobId, { controller, reply })
        // progress and stream values: pushed like the result, the job's markers kept
        const relay = new JobRelay((bytes) => push(reply, jobId, bytes, false), jobId, job.data)
        relays.set(jobId, relay)
        const finish = (bytes: Uint8Array): void => {
          relays.delete(jobId)
          // Not awaited: the slot is free one round trip sooner. The push goes out at the end of this
          // turn, in the same write as BullMQ's completion of the job (just after it) and with the other
          // results of the turn in one script call. relay.end() writes the job's last progress report
          // before it. (Killed between the two: the job is complete in BullMQ but its start marker stays,
          // so its executor sees it started by a worker that died: WorkerLostError, as for any task
          // whose worker died while it ran.)
          try {
            if (running.delete(jobId)) {
              const out = relay.end(bytes)
              scripts.finishThen(reply, jobId, abortable, asBuffer(out), true, ignore, report)
            }
            if (settling.push(resolve) === 1) process.nextTick(settleAll)
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)))
          }
        }
        // the local executor failed the job itself (a crashed thread or process, a shut-down
        // executor): that is the task's result, so its future learns it. An abort that came before
        // the local executor started the task cancelled it there; the submitter's future (running
        // since it was handed over) fails with the abort reason, as a running local task's would.
        const failed = (error: unknown): void => {
          const failure: unknown = error instanceof CancelledError && controller?.signal.aborted === true ? controller.signal.reason : error
          let bytes: Uint8Array
          try {
            bytes = encodeEnvelope({ t: 'error', jobId, error: serializeError(failure) })
          } catch (encoding) {
            relays.delete(jobId)
            running.delete(jobId)
            reject(encoding instanceof Error ? encoding : new Error(String(encoding)))
            return
          }
          finish(bytes)
        }
        try {
          if (Buffer.isBuffer(started)) controller?.abort(decodeAbort(started).reason)
          relay.run(executor, controller === undefined ? { name: job.name } : { signal: controller.signal, name: job.name }, payload, context, finish, failed)
        } catch (error) {
          failed(error)
        }
      }
      // A fresh delivery starts at once, its marker set by the same script sent alongside (see
      // startsAtOnce): no round trip to Redis before the task. A late one, or one that may be
      // aborted before it starts, waits for the script's answer.
      // (One that also finishes in this turn, still fresh, sets no marker: see freshFor.)
      const fresh = freshFor(job, abortable, info.ttl)
      if (fresh > 0) {
        scripts.startThen(jobId, reply, abortable, envelope, (started) => {
          if (started === -1) report(new Error(`job ${jobId} ran although its start marker was taken; tell the @x/distributed maintainers`))
        }, report, performance.now() + fresh)
        // Started in a tick after this turn's promise jobs, all of them together: the task context's
        // async hooks (see hooksOffBetweenTasks in @x/future) go on for the tasks only, and are off
        // again before BullMQ's completions of them run (else every promise of the turn pays for them).
        if (starting.push(begin, reject) === 2) process.nextTick(startAll)
        return
      }
      scripts.startThen(jobId, reply, abortable, envelope, (started) => {
        // The marker is taken (its executor's claim: it gave up on this job and failed its future): runs nothing.
        if (started === -1) {
          resolve()
          return
        }
        begin(started)
      }, reject)
    })

  const makeWorker = (slots: number): Worker => {
    const worker = new Worker(queue, processor, {
      connection: cmd.redis,
      concurrency: slots,
      // BullMQ writes it into each job it hands this worker (`processedBy`), with the fetch: the
      // job's executor then knows who may have started it (lost-check.ts).
      name: id,
      // A stalled job (its worker died) fails instead of running again: at most once. (BullMQ 6
      // marks it failed and moves it to the wait list; the worker that takes it fails it there
      // without calling this processor. With one attempt per job, nothing retries it either.)
      maxStalledCount: 0,
      // BullMQ's lock is the same liveness signal as the heartbeat, with the same lifetime: a job
      // left behind by a killed worker (one whose result had gone out, or one it fetched and never
      // started) is failed, and so removed, within two lifetimes instead of a minute.
      lockDuration: info.ttl,
      stalledInterval: info.ttl,
    })
    worker.on('error', report)
    return worker
  }
  const bull = makeWorker(concurrency)
  await bull.waitUntilReady()
  sub.redis.on('messageBuffer', (channel: Buffer, message: Buffer) => {
    const name = channel.toString()
    if (name === k.abortChannel) {
      const { jobId, reason } = decodeAbort(message)
      running.get(jobId)?.controller?.abort(reason)
    } else if (name === k.creditChannel(id)) {
      JobRelay.credit(relays, message)
    } else if (closing === undefined) {
      // lend / return a slot while one of our tasks waits on nested work
      if (message.toString() === 'lend') {
        lent.push({ release: lendLocal(), worker: makeWorker(1) })
      } else {
        const slot = lent.pop()
        if (slot !== undefined) void slot.worker.close().catch(report).finally(() => slot.release?.())
      }
    }
  })
  await sub.redis.subscribe(k.abortChannel, k.lendChannel(id), k.creditChannel(id))
  let handBackNow: (() => void) | undefined
  const handBack = new Promise<'timeout'>((resolve) => (handBackNow = () => { resolve('timeout'); }))
  const handBackAfter = (timeout: number): void => {
    if (Number.isFinite(timeout)) setTimeout(() => handBackNow?.(), Math.max(0, timeout)).unref()
  }
  const close = (closeOptions?: CloseOptions): Promise<void> => {
    // A second close() while closing may shorten the grace period (x-worker's second signal).
    handBackAfter(closeOptions?.timeout ?? Infinity)
    closing ??= (async () => {
      // Paused, not closed, while the running jobs may finish: BullMQ's close() waits for them, and
      // a close(true) after it only returns that same wait, so the hand-back could never stop them.
      const slots = lent.splice(0)
      const workers = [bull, ...slots.map((slot) => slot.worker)]
      const finished = Promise.all(workers.map((worker) => worker.pause().catch(report)))
      const outcome = await Promise.race([finished.then(() => 'finished' as const), handBack])
      const handingBack = outcome === 'timeout'
      if (handingBack) {
        // Hand the running jobs back: their futures fail now instead of after the heartbeat expires.
        const handedBack = [...running.entries()]
        running.clear()
        for (const relay of relays.values()) relay.stop() // a paused stream would wait for credit forever
        await Promise.all(
          handedBack.map(([jobId, { reply }]) =>
            push(reply, jobId, encodeEnvelope({
              t: 'lost',
              jobId,
              workerId: id,
              message: `worker ${id} was stopped before the task finished and handed it back; it ran at most once`,
            }), false).catch(report),
          ),
        )
      }
      await Promise.all(workers.map((worker) => worker.close(handingBack).catch(report)))
      for (const slot of slots) slot.release?.()
      clearInterval(timer)
      await cmd.redis.multi().del(k.worker(id)).srem(k.workers, id).exec().catch(report)
      // and forget the registrations of workers that died without closing (their heartbeat expired)
      await liveWorkers(cmd.redis, queue).catch(report)
      await Promise.all([sub.close(), cmd.close()])
    })()
    return closing
  }

  return {
    id,
    queue,
    root,
    concurrency,
    get running() {
      return running.size
    },
    close,
    [Symbol.asyncDispose]: () => close(),
  }
}

/** `bytes` as a Buffer: itself when it is one (an envelope made on this thread), else a view of its memory. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}
