import { randomUUID } from 'node:crypto'
import {
  Executor,
  Future,
  ShutdownError,
  channels,
  checkArguments,
  currentTask,
  describeCallable,
  deserializeError,
  isTask,
} from '@x/future'
import type { Callable, FunctionOf, ShutdownOptions, StreamFunction, StreamOptions, SubmitOptions, Task, Yielded } from '@x/future'
import { openPoolStream, streamSinkOption } from '@x/pool-kit'
import type { StreamSubmitOptions } from '@x/pool-kit'
import type { Connection } from './connection.js'
import { checkOptions, checkSubmitOptions } from './options.js'
import type { DistributedExecutorOptions } from './options.js'
import { Deque } from './deque.js'
import { WorkerLostError, lostError } from './errors.js'
import { decodeEnvelope, keys, rootPath, toWire } from './protocol.js'
import type { Envelope, JobPayload, WireCallable } from './protocol.js'
import { WorkerNumbers } from './registry.js'
import type { UnstartedState } from './registry.js'
import { newItem } from './item.js'
import type { Item } from './item.js'
import { checkStarted, checkUnstarted, lostCheckOf } from './lost-check.js'
import { Session } from './session.js'
import { linkSignal } from './signal-link.js'
import { attachStream, deliverPartial, isPartial, sendCredit } from './partial.js'
import { JobBatch, windowSize } from './job-batch.js'
import { EXECUTOR_ID_LENGTH, encodePayload } from './job-data.js'

const DEFAULT_URL = 'redis://127.0.0.1:6379'

/** Publishes on a Redis channel through an executor's connection (the worker runtime's slot lending). */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- assigned in the class's static block
export let publishVia: (executor: DistributedExecutor, channel: string, message: string) => void = (_e, _c, _m) => undefined

/**
 * Runs calls on `x-worker` processes (or `serve()`d workers) on any machine, through a BullMQ
 * queue on Redis, with the futures of `@x/future`: exact synchronous `cancel()`, values that keep
 * their types (v8 serialization), typed remote errors, nested submission and lost-worker
 * detection. See the package README for the failure semantics.
 *
 * @example
 * ```ts
 * import { task } from '@x/future'
 * import { DistributedExecutor } from '@x/distributed'
 *
 * await using ex = new DistributedExecutor({ connection: 'redis://127.0.0.1:6379', queue: 'jobs', root: new URL('.', import.meta.url) })
 * const fib = task<typeof import('./tasks.js').fib>(new URL('./tasks.js', import.meta.url), 'fib')
 * console.log(await ex.submit(fib, 30)) // run by some x-worker --queue jobs
 * ```
 *
 * @since 0.1.0
 */
export class DistributedExecutor extends Executor {
  /** The queue name. */
  readonly queue: string
  /** The root folder task modules are addressed from. */
  readonly root: string
  readonly #connection: Connection
  readonly #fixedWindow: number | undefined
  readonly #retries: number
  readonly #checkInterval: number
  /**
   * This executor's id in Redis: 16 characters (base64url of a UUID's first 12 bytes, 90 random
   * bits). Every job id starts with it, and BullMQ's scripts handle a job's id many times per job
   * (its keys, its list entries, its events): a UUID's 36 characters cost Redis measurably more per
   * job. Its workers make its result list from it (`resultKeyOf`: no job carries it). From
   * `randomUUID()`, which draws from a pooled buffer: `randomBytes()` would start an async resource,
   * and a worker makes its nested-work executor at its first job.
   */
  readonly #uid = Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url').slice(0, EXECUTOR_ID_LENGTH)
  readonly #resultKey: string
  readonly #pending = new Deque<Item>()
  #pendingCount = 0
  readonly #handed = new Map<string, Item>()
  /** Jobs handed over, on their way to BullMQ. */
  readonly #batch = new JobBatch(
    (items) => this.#session?.add(items),
    (item, error) => {
      this.#settle(item, () => {
        item.future.setException(error)
      })
    },
  )
  #capacity = 0
  #started: Promise<void> | undefined
  #session: Session | undefined
  #closed = false
  #disposed = false
  #idle: (() => void)[] = []
  readonly #workerNumbers = new WorkerNumbers()
  /** The wire form of each callable submitted (task handles are frozen, a function's source is fixed): made once. */
  readonly #wires = new WeakMap<object, WireCallable>()
  readonly #publish = (channel: string, message: string): void => {
    this.#session?.publish(channel, message)
  }

  static {
    publishVia = (executor, channel, message) => {
      // after the connection is up (a nested executor may still be connecting), in call order
      void executor.#started?.then(() => executor.#session?.publish(channel, message)).catch(() => undefined)
    }
  }

  /**
   * @param options where Redis is, the queue, the root; optionally `maxWorkers`, `retries`
   * @throws TypeError when `maxWorkers` is not an integer, `queue` is empty or contains ":", or
   *   `root` is neither an absolute path nor a `file:` URL.
   * @throws RangeError when `maxWorkers` is not above 0, `retries` is not an integer >= 0 or
   *   `checkInterval` is below 10 ms.
   */
  constructor(options: DistributedExecutorOptions) {
    const checked = checkOptions(options)
    super({ kind: 'distributed', maxWorkers: checked.maxWorkers ?? 1, name: options.name, maxQueue: options.maxQueue })
    const given = checked.maxWorkers
    const { retries, checkInterval } = checked
    this.queue = options.queue
    this.root = rootPath(options.root)
    this.#connection = options.connection ?? process.env.REDIS_URL ?? DEFAULT_URL
    this.#fixedWindow = given
    this.#retries = retries
    this.#checkInterval = checkInterval
    this.#resultKey = keys(this.queue).results(this.#uid)
    // Without maxWorkers, the window is the live capacity, which changes as workers come and go.
    if (given === undefined) Object.defineProperty(this, 'maxWorkers', { get: () => Math.max(1, this.#capacity) })
  }

  /**
   * Schedules `fn(...args)` on some worker of the queue and returns its future (PENDING here until
   * handed to BullMQ, then RUNNING: see `maxWorkers`). `fn` is a `task(url, name)` handle to a module under `root`, or a
   * self-contained function (run only by workers started with `--allow-source`). `submit(fn,
   * ...args)` is `submitWith({}, fn, ...args)` and throws the same.
   *
   * @throws {@link OutsideRootError} when `fn` is a module outside `root`.
   * @throws ShutdownError (`@x/future`) after `shutdown()`.
   * @throws QueueFullError (`@x/future`) when `maxQueue` calls already wait; nothing is queued.
   * @throws TypeError when `fn` is neither a function nor a `task(url, name)` handle, or an
   *   argument cannot be sent to a worker (a future inside an argument, an executor, a function).
   */
  submitWith<C extends Callable>(
    options: SubmitOptions,
    fn: C,
    ...args: Parameters<FunctionOf<C>>
  ): Future<Awaited<ReturnType<FunctionOf<C>>>> {
    return this.#submit(options, fn, args, false) as Future<Awaited<ReturnType<FunctionOf<C>>>>
  }

  /**
   * Runs the (async) generator function `fn(...args)` on a worker: an async iterator of what it
   * yields, in order. The worker pauses it while `highWaterMark` (default 16) values wait here;
   * `break`/`return()` or the options' `signal` aborts the task's signal and closes the generator
   * (or cancels a task not started). Its error, or its worker's loss ({@link WorkerLostError}; a
   * stream is never retried), ends the iteration after the values before it. Options (last
   * argument): `highWaterMark`, `name`, `signal`, `onProgress`. See the README, "Progress and streams".
   *
   * @throws RangeError when `highWaterMark` is not an integer >= 1 (and what `submit()` throws).
   * @since 0.1.0
   */
  stream<G extends StreamFunction | Task<StreamFunction>>(
    fn: G,
    ...argsAndOptions: [...Parameters<FunctionOf<G>>] | [...Parameters<FunctionOf<G>>, StreamOptions]
  ): AsyncIterableIterator<Yielded<FunctionOf<G>>> {
    return openPoolStream((options, f, ...args) => this.submitWith(options, f as Callable, ...(args as [])), fn, argsAndOptions)
  }

  /** Sends a whole chunk of `map()` calls as one job. */
  protected override submitChunk(fn: Callable, argTuples: unknown[][]): Future<unknown[]> {
    return this.#submit({}, fn, argTuples, true) as Future<unknown[]>
  }

  #submit(options: SubmitOptions, fn: Callable, args: unknown[], chunk: boolean): Future {
    if (typeof fn !== 'function' && !isTask(fn)) {
      throw new TypeError(`submit(): expected a function or a task(url, name) handle, got ${typeof fn}`)
    }
    if (this.#closed) throw new ShutdownError()
    checkSubmitOptions(options)
    let wire = this.#wires.get(fn)
    if (wire === undefined) this.#wires.set(fn, (wire = toWire(describeCallable(fn), this.root)))
    if (chunk) for (const tuple of args) checkArguments(tuple as unknown[])
    else checkArguments(args)
    const future = new Future({ name: options.name ?? wire.name })
    const payload: JobPayload = { fn: wire, args, chunk, futureId: future.id, name: future.name }
    const item = newItem(future, wire, encodePayload(payload), `${this.#uid}-${String(future.id)}`, options.signal !== undefined)
    const sink = (options as StreamSubmitOptions)[streamSinkOption]
    if (sink !== undefined) attachStream(item, sink, this.queue, this.#publish, this.#checkInterval)
    this.#pending.push(item)
    this.#pendingCount++
    future.addDoneCallback(() => {
      if (future.cancelled() && !item.left) {
        item.left = true
        this.#pendingCount--
        future.setRunningOrNotifyCancel()
        this.#checkIdle()
      }
    })
    if (options.signal !== undefined) linkSignal(options.signal, future, (reason) => this.#session?.abort(item.jobId, reason))
    if (channels.futureSubmit.hasSubscribers) {
      channels.futureSubmit.publish({ futureId: future.id, executorId: this.id, name: future.name, callerTaskId: currentTask()?.id })
    }
    this.#start()
    this.#pump()
    return future
  }

  /**
   * Connects (once), then starts reading results and the heartbeat checks (once: a reader loop
   * and a check timer per submit would each cost Redis commands for the executor's lifetime).
   */
  #start(): void {
    this.#ref(true)
    if (this.#started !== undefined) return
    this.#started = (async () => {
      const session = await Session.open(this.#connection, `x-executor-${this.#uid}`, this.queue, this.#resultKey, true)
      this.#session = session
      if (this.#fixedWindow === undefined) this.#capacity = await session.liveCapacity()
    })()
    this.#started.then(
      () => {
        const session = this.#session
        if (session === undefined) return
        session.ref(this.#outstanding() > 0)
        if (this.#disposed) return
        session.run({ receive: (data) => { this.#receive(data) }, check: () => this.#check() }, this.#checkInterval)
        this.#pump()
      },
      (error: unknown) => {
        // Redis is unreachable: fail what waits for it, and try again on the next submit.
        this.#started = undefined
        this.#failAll(error)
      },
    )
  }

  /** Hands PENDING futures to BullMQ while the window has room; they become RUNNING. */
  #pump(): void {
    if (this.#session === undefined) return
    const window = windowSize(this.#fixedWindow, this.#capacity)
    while (this.#handed.size < window && this.#pendingCount > 0) {
      const item = this.#pending.shift()
      if (item === undefined) break
      if (item.left) continue
      item.left = true
      this.#pendingCount--
      if (!item.future.setRunningOrNotifyCancel()) continue
      this.#handed.set(item.jobId, item)
      this.#batch.push(item)
    }
    this.#batch.schedule()
  }

  #receive(data: Buffer): void {
    let envelope: Envelope
    try {
      envelope = decodeEnvelope(data)
    } catch {
      return
    }
    if (isPartial(envelope)) {
      deliverPartial(this.#handed.get(envelope.jobId), envelope)
      return
    }
    // the job has ended on its worker: an abort key written for it is garbage now
    if (envelope.t !== 'start') this.#session?.jobEnded(envelope.jobId)
    const item = this.#handed.get(envelope.jobId)
    if (item === undefined) return // a late envelope of a future already settled (lost, shut down)
    if (envelope.t === 'start') {
      item.workerId = envelope.workerId
      item.fetched = false
      if (channels.futureStart.hasSubscribers) {
        channels.futureStart.publish({ futureId: item.future.id, executorId: this.id, workerId: this.#workerNumbers.of(envelope.workerId) })
      }
      return
    }
    if (envelope.t === 'ok') this.#settle(item, () => { item.future.setResult(envelope.value); })
    else if (envelope.t === 'error') this.#settle(item, () => { item.future.setException(deserializeError(envelope.error)); })
    // handed back by a worker that stopped before the task ended: as if that worker were lost
    else this.#lost(item, envelope.workerId, undefined, envelope.message)
  }

  /** Takes a handed-over item out of the window, settles its future and refills the window. */
  #settle(item: Item, settle: () => void): void {
    this.#handed.delete(item.jobId)
    if (!item.future.done()) settle()
    this.#pump()
    this.#checkIdle()
  }

  /** Every checkInterval while work is out: lost workers, and the live capacity. */
  async #check(): Promise<void> {
    const session = this.#session
    if (session === undefined || this.#outstanding() === 0) return
    try {
      if (this.#fixedWindow === undefined) {
        this.#capacity = await session.liveCapacity()
        this.#pump()
      }
      const check = lostCheckOf(session, this.queue, this.#checkInterval, this.#handed, {
        lost: (item, workerId, state) => { this.#lost(item, workerId, state) },
      })
      await checkUnstarted(check)
      await checkStarted(check)
      for (const item of this.#handed.values()) sendCredit(item, this.queue, this.#publish) // the consumer is alive
    } catch {
      // Redis is away for a moment: the next check tries again.
    }
  }

  /**
   * A handed-over job will never report: its worker is gone (`workerId`), or stopped and handed it
   * back (`handedBack`: its message), or the lost-worker check gave up on it (`state`). Its job
   * leaves Redis, and it is sent again (`retries`) or its future fails with `WorkerLostError`.
   */
  #lost(item: Item, workerId: string | undefined, state?: UnstartedState, handedBack?: string): void {
    const jobId = item.jobId
    // (a job the check gave up on, `state`, was removed by it already, and keeps its claimed marker;
    // a job handed back is still locked by its stopping worker, which will not run it again)
    if (state === undefined) this.#session?.forget(jobId, workerId !== undefined)
    if (item.attempt < this.#retries && item.stream === undefined) {
      item.attempt++
      this.#resend(item)
      return
    }
    this.#handed.delete(jobId)
    const error = handedBack === undefined ? lostError(item.future, jobId, item.attempt, workerId, state, item.fetched) : new WorkerLostError(handedBack, workerId)
    this.#settle(item, () => { item.future.setException(error); })
  }

  /** Sends a handed-over item again, as a new job (a retry: its old job will never run again). */
  #resend(item: Item): void {
    this.#handed.delete(item.jobId)
    item.sends++
    item.jobId = `${this.#uid}-${String(item.future.id)}-s${String(item.sends)}`
    item.workerId = undefined
    item.fetched = false
    item.addedAt = undefined
    item.suspect = false
    this.#handed.set(item.jobId, item)
    this.#batch.push(item)
    this.#batch.schedule()
  }

  #failAll(error: unknown): void {
    for (const item of [...this.#handed.values()]) this.#settle(item, () => { item.future.setException(error); })
    for (const item of this.#pending) {
      if (item.left) continue
      item.left = true
      this.#pendingCount--
      if (item.future.setRunningOrNotifyCancel()) item.future.setException(error)
    }
    this.#checkIdle()
  }

  #outstanding(): number {
    return this.#pendingCount + this.#handed.size
  }

  /** Sockets keep the process alive only while work is outstanding. */
  #ref(on: boolean): void {
    this.#session?.ref(on)
  }

  #checkIdle(): void {
    if (this.#outstanding() > 0) return
    this.#ref(false)
    for (const resolve of this.#idle.splice(0)) resolve()
  }

  /**
   * Stops taking work. `wait` (default) resolves once every future is done, then closes the Redis
   * connections; `cancelFutures` cancels the PENDING ones first. Jobs already handed to BullMQ run
   * to the end either way.
   */
  async shutdown(options?: ShutdownOptions): Promise<void> {
    const wait = options?.wait ?? true
    const cancelFutures = options?.cancelFutures ?? false
    this.publishShutdown(wait, cancelFutures)
    this.#closed = true
    if (cancelFutures) for (const item of [...this.#pending]) if (!item.left) item.future.cancel()
    const idle =
      this.#outstanding() === 0 ? Promise.resolve() : new Promise<void>((resolve) => this.#idle.push(resolve))
    const close = idle.then(() => this.#dispose())
    if (wait) await close
  }

  async #dispose(): Promise<void> {
    if (this.#disposed) return
    this.#disposed = true
    await this.#started?.catch(() => undefined)
    await this.#session?.close()
  }
}
