import { availableParallelism } from 'node:os'
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads'
import type { MessagePort, Transferable } from 'node:worker_threads'
import {
  Executor,
  type Future,
  ShutdownError,
  channels,
  checkArguments,
  currentTask,
  describeCallable,
  deserializeError,
  newWaitId,
  serializeError,
} from '@x/future'
import type {
  Callable,
  CallableSpec,
  ExecutorStats,
  FunctionOf,
  ShutdownOptions,
  SubmitOptions,
} from '@x/future'
import Tinypool from 'tinypool'
import type { TinypoolWorker } from 'tinypool'
import { checkWorkerLifecycle, SerializationError, StartBackoff } from '@x/pool-kit'
import { BrokenThreadPoolError, WorkerExitError } from './errors.js'
import { CANCELLED, RECLAIMED } from './protocol.js'
import type { DownMessage, SessionInit, TaskMessage, ThreadData, UpMessage } from './protocol.js'
import { threadExecArgv } from './exec-argv.js'
import { checkDuration, checkInitializerShape, checkMaxWorkers, checkResourceLimits, describe, isOptionsObject, OPTION_NAMES } from './options.js'
import type { ThreadPoolExecutorOptions } from './options.js'
import { deathError, defaultName, isDone, PoolFuture, Queue, Session, Slots, taskMessage } from './items.js'
import type { Described, FutureOwner, Item } from './items.js'

export type { ThreadPoolExecutorOptions } from './options.js'

/** Tasks handed to one worker ahead of time (still PENDING and cancellable there). */
const PREFETCH = 256
/** tinypool wants a finite idle timeout. */
const MAX_TIMEOUT = 2 ** 31 - 1

let poolCounter = 0

/**
 * Python's `ThreadPoolExecutor` on Node's `worker_threads` (through tinypool): runs CPU-bound
 * JavaScript on up to `maxWorkers` threads and hands back a {@link Future} per call.
 *
 * Work is a `task(url, name)` handle (the worker imports the module) or a self-contained
 * function (sent as source, compiled once per thread). Arguments and results cross by
 * structured clone; `submitWith({ transfer })` moves buffers and `SharedArrayBuffer`s are shared.
 *
 * @example
 * ```ts
 * import { task } from '@x/future'
 * import { ThreadPoolExecutor } from '@x/thread-pool'
 *
 * await using pool = new ThreadPoolExecutor({ maxWorkers: 4 })
 * const fib = task<typeof import('./tasks.js').fib>(new URL('./tasks.js', import.meta.url), 'fib')
 * console.log(await pool.submit(fib, 30))                        // 832040
 * console.log(await pool.submit((a: bigint, b: bigint) => a ** b, 3n, 40n))
 * for await (const square of pool.map((x: number) => x * x, [1, 2, 3], { chunksize: 100 })) console.log(square)
 * ```
 */
export class ThreadPoolExecutor extends Executor {
  readonly #tiny: Tinypool
  readonly #slots = new Slots()
  readonly #queue = new Queue()
  readonly #sessions = new Set<Session>()
  /** Ports of released sessions, until the worker closes its end. */
  readonly #releasedPorts = new Set<MessagePort>()
  /**
   * Released sessions whose tinypool task has not settled yet: their threads are still busy, so
   * they count against the thread limit (tinypool's `maxThreads` is fixed at 2 × maxWorkers, room
   * for lent workers; the live limit, maxWorkers + lent, is kept here).
   */
  #ending = 0
  readonly #watched = new WeakSet<object>()
  readonly #described = new WeakMap<object, Described>()
  /** Threads that started serving (said hello). */
  readonly #greeted = new Set<number>()
  /** Threads that failed to start in a row: retried after a growing delay, then the pool breaks. */
  readonly #backoff = new StartBackoff()
  /** No thread starts before this timer fires (the backoff delay after a failed start). */
  #startDelay: NodeJS.Timeout | undefined
  readonly #specIds = new Map<string, Described>()
  readonly #initializer: CallableSpec | undefined
  readonly #initargs: readonly unknown[]
  readonly #grace: number
  /** maxTasksPerWorker (Infinity: unlimited). */
  readonly #maxTasks: number
  readonly #owner: FutureOwner
  #sessionIds = 0
  #outstanding = 0
  #lent = 0
  #shutdown = false
  #broken: BrokenThreadPoolError | undefined
  #pumpScheduled = false
  #releaseTimer: NodeJS.Immediate | undefined
  #closing: Promise<void> | undefined
  #idleWaiters: (() => void)[] = []

  constructor(options?: ThreadPoolExecutorOptions) {
    if (options !== undefined && !isOptionsObject(options)) {
      throw new TypeError(`ThreadPoolExecutor: options must be an object, got ${describe(options)}`)
    }
    for (const key of Object.keys(options ?? {})) {
      if (!(OPTION_NAMES as readonly string[]).includes(key)) {
        throw new TypeError(
          `ThreadPoolExecutor: unknown option "${key}"; the options are ${OPTION_NAMES.map((k) => `"${k}"`).join(', ')}`,
        )
      }
    }
    const maxWorkers = options?.maxWorkers === undefined ? availableParallelism() : checkMaxWorkers(options.maxWorkers)
    const initializer = options?.initializer
    let initSpec: CallableSpec | undefined
    if (initializer !== undefined) {
      checkInitializerShape(initializer, describe)
      try {
        initSpec = describeCallable(initializer)
      } catch (error) {
        throw new TypeError(`ThreadPoolExecutor: initializer must be a callable: ${(error as Error).message}`, { cause: error })
      }
    }
    const initargs = options?.initargs ?? []
    if (!Array.isArray(initargs)) {
      throw new TypeError(`ThreadPoolExecutor: initargs must be an array of arguments, got ${describe(initargs)}`)
    }
    checkArguments(initargs)
    const prefix = options?.threadNamePrefix ?? `ThreadPoolExecutor-${String(poolCounter++)}`
    if (typeof prefix !== 'string') {
      throw new TypeError(`ThreadPoolExecutor: threadNamePrefix must be a string, got ${describe(prefix)}`)
    }
    const idleTimeout = checkDuration(options?.idleTimeout, 'idleTimeout', Infinity)
    const grace = checkDuration(options?.abortGracePeriod, 'abortGracePeriod', 1000)
    const resourceLimits = checkResourceLimits(options?.resourceLimits, describe)
    if (options?.name !== undefined && typeof options.name !== 'string') {
      throw new TypeError(`ThreadPoolExecutor: name must be a string, got ${describe(options.name)}`)
    }
    const lifecycle = checkWorkerLifecycle('ThreadPoolExecutor', options ?? {}, maxWorkers)
    super({ kind: 'thread', maxWorkers, name: options?.name, maxQueue: options?.maxQueue })
    this.#maxTasks = lifecycle.maxTasksPerWorker
    this.#initializer = initSpec
    this.#initargs = initargs
    this.#grace = grace
    const execArgv = threadExecArgv()
    this.#tiny = new Tinypool({
      filename: new URL('./worker.js', import.meta.url).href,
      // tinypool starts these at once and keeps them while idle (unreferenced)
      minThreads: lifecycle.minWorkers,
      // room for the workers lent to the deadlock detector (see lendWorker)
      maxThreads: maxWorkers * 2,
      idleTimeout: Math.min(idleTimeout, MAX_TIMEOUT),
      // A worker between sessions must keep its event loop running (its timers, its port).
      useAtomics: false,
      resourceLimits,
      // Node's inheritance unless the parent ran with --eval/--input-type/... (see exec-argv.ts)
      ...(execArgv === undefined ? {} : { execArgv }),
      workerData: { threadNamePrefix: prefix } satisfies ThreadData,
    })
    // tinypool reports a thread that failed with no task on it as a pool 'error'; the thread's
    // own listeners (watchThreads) handle it.
    this.#tiny.on('error', () => undefined)
    this.#owner = {
      cancel: (item) => this.#cancel(item),
      sync: (item) => {
        this.#sync(item)
      },
    }
  }

  /**
   * Executor's `stats()`. A thread claims a task through a shared word without telling the pool,
   * so this reads the words of the tasks handed to threads first: `running` counts the tasks a
   * thread has claimed, and their run time counts from when the thread claimed them.
   *
   * @example
   * ```ts
   * pool.stats() // start timing
   * await Promise.all(inputs.map((x) => pool.submit(work, x)))
   * const { running, utilization, runTime } = pool.stats()
   * ```
   */
  override stats(): ExecutorStats {
    for (const session of this.#sessions) for (const item of session.items.values()) this.#sync(item)
    return super.stats()
  }

  /** How many worker threads exist now (started, idle or busy). */
  get workerCount(): number {
    return this.#tiny.threads.length
  }

  /**
   * Schedules `fn(...args)` on a worker thread and returns its future. `fn` is a
   * `task(url, name)` handle or a self-contained function. `options.name` labels the future,
   * `options.signal` cancels it while pending and aborts `currentTask().signal` while it runs
   * (the thread is ended after `abortGracePeriod`), `options.transfer` moves buffers instead of
   * copying them (they are detached here at once).
   *
   * @example
   * ```ts
   * const controller = new AbortController()
   * const f = pool.submitWith({ name: 'render', signal: controller.signal, transfer: [pixels.buffer] }, render, pixels)
   * ```
   */
  submitWith<C extends Callable>(
    options: SubmitOptions,
    fn: C,
    ...args: Parameters<FunctionOf<C>>
  ): Future<Awaited<ReturnType<FunctionOf<C>>>> {
    if (!isOptionsObject(options)) {
      throw new TypeError(`submitWith(): options must be an object like { name, signal, transfer }, got ${describe(options)}`)
    }
    for (const key of Object.keys(options)) {
      if (key !== 'name' && key !== 'signal' && key !== 'transfer') {
        throw new TypeError(`submitWith(): unknown option "${key}"; the options are "name", "signal", "transfer"`)
      }
    }
    const { name, signal, transfer } = options
    if (name !== undefined && typeof name !== 'string') {
      throw new TypeError(`submitWith(): name must be a string, got ${describe(name)}`)
    }
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new TypeError(`submitWith(): signal must be an AbortSignal, got ${describe(signal)}`)
    }
    if (transfer !== undefined && !Array.isArray(transfer)) {
      throw new TypeError(`submitWith(): transfer must be an array of transferable objects, got ${describe(transfer)}`)
    }
    this.#checkOpen()
    const callable = this.#describe(fn)
    checkArguments(args)
    let moved: { args: unknown[]; transfer: readonly Transferable[] | undefined } = { args, transfer }
    if (transfer !== undefined && transfer.length > 0) {
      // Move the buffers now, as postMessage would: the caller's copies are detached at once,
      // and the pool holds the only ones until a worker gets them.
      try {
        moved = structuredClone(moved, { transfer: transfer as never })
      } catch (error) {
        throw new TypeError(
          `submitWith(): cannot transfer ${describe(transfer)}: ${error instanceof Error ? error.message : String(error)}. ` +
            'List only transferable objects (ArrayBuffer, MessagePort, ...) that are not detached, each once.',
          { cause: error },
        )
      }
    }
    return this.#enqueue(callable, moved.args, {
      name: name ?? defaultName(callable.spec),
      signal,
      transfer: moved.transfer,
      chunk: false,
      callerTaskId: currentTask()?.id,
    }).future as Future<Awaited<ReturnType<FunctionOf<C>>>>
  }

  /** `map(..., { chunksize })`: one message per chunk, run in order by one worker. */
  protected override submitChunk(fn: Callable, argTuples: unknown[][]): Future<unknown[]> {
    this.#checkOpen()
    const callable = this.#describe(fn)
    for (const tuple of argTuples) checkArguments(tuple)
    // One-argument calls (map over one input) travel as a flat list: far less to clone.
    const flat = argTuples.every((tuple) => tuple.length === 1)
    return this.#enqueue(callable, flat ? argTuples.map((tuple) => tuple[0]) : argTuples, {
      flat,
      name: defaultName(callable.spec),
      signal: undefined,
      transfer: undefined,
      chunk: true,
      callerTaskId: currentTask()?.id,
    }).future as Future<unknown[]>
  }

  /**
   * Stops taking work. With `wait` (default) it resolves when every task has finished and every
   * worker thread has exited; with `cancelFutures` the futures not yet started are cancelled
   * first. With `wait: false` it returns at once; queued work still runs, then the threads exit.
   */
  shutdown(options?: ShutdownOptions): Promise<void> {
    if (options !== undefined && !isOptionsObject(options)) {
      return Promise.reject(new TypeError(`shutdown(): options must be an object like { wait, cancelFutures }, got ${describe(options)}`))
    }
    for (const key of Object.keys(options ?? {})) {
      if (key !== 'wait' && key !== 'cancelFutures') {
        return Promise.reject(new TypeError(`shutdown: unknown option "${key}"; the options are "wait", "cancelFutures"`))
      }
    }
    const wait = options?.wait ?? true
    const cancelFutures = options?.cancelFutures ?? false
    this.publishShutdown(wait, cancelFutures)
    const closing = this.#beginShutdown(cancelFutures)
    return wait ? closing : Promise.resolve()
  }

  #beginShutdown(cancelFutures: boolean): Promise<void> {
    this.#shutdown = true
    if (cancelFutures) this.#cancelPending()
    if (this.#closing === undefined) {
      this.#closing = this.#close()
      // with wait: false nobody may read it: never an unhandled rejection
      this.#closing.catch(() => undefined)
    }
    return this.#closing
  }

  protected override lendWorker(): (() => void) | undefined {
    if (this.#lent >= this.maxWorkers || this.#closing !== undefined) return undefined
    this.#lent++
    this.#schedulePump()
    let returned = false
    return () => {
      if (returned) return
      returned = true
      this.#lent--
    }
  }



  // ---- submission and dispatch -------------------------------------------------------------------

  #checkOpen(): void {
    if (this.#broken !== undefined) throw this.#broken
    if (this.#shutdown) throw new ShutdownError()
  }

  /** The spec of a function or task handle, described once per pool. */
  #describe(fn: Callable): Described {
    const known = typeof fn === 'function' || isOptionsObject(fn) ? this.#described.get(fn) : undefined
    if (known !== undefined) return known
    const described = this.#intern(describeCallable(fn))
    this.#described.set(fn, described)
    return described
  }

  #intern(spec: CallableSpec): Described {
    const key = spec.kind === 'task' ? `task\u0000${spec.module}\u0000${spec.exportName}` : `source\u0000${spec.source}`
    let described = this.#specIds.get(key)
    if (described === undefined) {
      described = { spec, id: this.#specIds.size + 1 }
      this.#specIds.set(key, described)
    }
    return described
  }

  #enqueue(
    callable: Described,
    args: readonly unknown[],
    options: {
      name: string | undefined
      signal: AbortSignal | undefined
      transfer: readonly Transferable[] | undefined
      chunk: boolean
      flat?: boolean
      callerTaskId: number | undefined
    },
  ): Item {
    const future = new PoolFuture<unknown>(this.#owner, options.name)
    const item: Item = {
      future,
      callable,
      args,
      chunk: options.chunk,
      flat: options.flat === true,
      transfer: options.transfer !== undefined && options.transfer.length > 0 ? options.transfer : undefined,
      signal: options.signal,
      onAbort: undefined,
      where: 'queued',
      session: undefined,
      slot: -1,
      word: 0,
      started: false,
      graceTimer: undefined,
      notify: undefined,
    }
    future.item = item
    if (channels.futureSubmit.hasSubscribers) {
      channels.futureSubmit.publish({
        futureId: future.id,
        executorId: this.id,
        name: future.name,
        callerTaskId: options.callerTaskId,
      })
    }
    this.#outstanding++
    this.#queue.push(item)
    const signal = options.signal
    if (signal !== undefined) {
      if (signal.aborted) {
        future.cancel()
        return item
      }
      item.onAbort = () => {
        this.#abort(item)
      }
      signal.addEventListener('abort', item.onAbort, { once: true })
    }
    const idle = this.#queue.live === 1 && !this.#pumpScheduled && this.#broken === undefined ? this.#idleSession() : undefined
    if (idle !== undefined) {
      // A lone task and an idle worker: send it now rather than from a microtask.
      this.#cancelRelease()
      this.#send(idle, 1)
    } else {
      this.#schedulePump()
    }
    return item
  }

  #cancelRelease(): void {
    if (this.#releaseTimer !== undefined) {
      clearImmediate(this.#releaseTimer)
      this.#releaseTimer = undefined
    }
  }

  #idleSession(): Session | undefined {
    for (const s of this.#sessions) if (s.items.size === 0 && s.assigned < this.#maxTasks) return s
    return undefined
  }

  #schedulePump(): void {
    this.#cancelRelease()
    if (this.#pumpScheduled) return
    this.#pumpScheduled = true
    queueMicrotask(() => {
      this.#pump()
    })
  }

  #limit(): number {
    return this.maxWorkers + this.#lent
  }

  #pump(): void {
    this.#pumpScheduled = false
    if (this.#broken !== undefined) return
    // An idle worker takes the next task; with none idle, start one more (Python's rule).
    while (this.#queue.live > 0) {
      let session = this.#idleSession()
      if (session === undefined && this.#startDelay === undefined && this.#sessions.size + this.#ending < this.#limit()) session = this.#spawn()
      if (session === undefined) break
      this.#send(session, 1)
    }
    // Every worker is busy: hand them work ahead of time so they never wait for a round trip.
    if (this.#queue.live > 0) {
      const eligible: Session[] = []
      for (const s of this.#sessions) if (!s.noPrefetch && s.items.size < PREFETCH && s.assigned < this.#maxTasks) eligible.push(s)
      if (eligible.length > 0) {
        const share = Math.ceil(this.#queue.live / eligible.length)
        for (const s of eligible) this.#send(s, Math.min(PREFETCH - s.items.size, share))
      }
    }
    this.#checkIdle()
  }

  #send(session: Session, count: number): void {
    const tasks: TaskMessage[] = []
    const items: Item[] = []
    const specs: (readonly [number, CallableSpec])[] = []
    let transfer: Transferable[] | undefined
    const most = Math.min(count, this.#maxTasks - session.assigned)
    while (tasks.length < most && this.#slots.available > 0) {
      const item = this.#queue.shift()
      if (item === undefined) break
      session.assigned++
      this.#slots.take(item)
      item.where = 'sent'
      item.session = session
      session.items.set(item.future.id, item)
      items.push(item)
      tasks.push(taskMessage(item))
      const { id, spec } = item.callable
      if (!session.knownSpecs.has(id)) {
        session.knownSpecs.add(id)
        specs.push([id, spec])
      }
      if (item.transfer !== undefined) (transfer ??= []).push(...item.transfer)
    }
    if (tasks.length === 0) return
    const diagnostics = channels.waitStart.hasSubscribers
    try {
      session.port.postMessage(['run', tasks, diagnostics, specs] satisfies DownMessage, transfer)
    } catch {
      // Something in the batch cannot be cloned: send the tasks one by one and fail the culprits.
      for (const [id] of specs) session.knownSpecs.delete(id)
      for (const item of items) {
        const { id, spec } = item.callable
        try {
          session.port.postMessage(['run', [taskMessage(item)], diagnostics, [[id, spec]]] satisfies DownMessage, item.transfer)
          session.knownSpecs.add(id)
        } catch (error) {
          session.items.delete(item.future.id)
          this.#slots.release(item)
          this.#fail(
            item,
            new SerializationError(
              `an argument of task "${item.future.name ?? spec.name}" cannot be sent to a worker thread: ${
                error instanceof Error ? error.message : String(error)
              }. Pass structured-cloneable data (no functions, symbols or class instances with private state).`,
              { cause: error },
            ),
          )
        }
      }
    }
  }

  #spawn(): Session {
    const { port1, port2 } = new MessageChannel()
    const session = new Session(++this.#sessionIds, port1)
    port1.on('message', (message: UpMessage) => {
      this.#onMessage(session, message)
      // Take whatever else arrived synchronously: far cheaper than one event per message.
      if (session.alive) this.#drainPort(session)
    })
    port1.unref()
    this.#sessions.add(session)
    const init: SessionInit = {
      port: port2,
      poolLabel: `${this.label}#${String(this.id)}`,
      states: this.#slots.buffer,
      starts: this.#slots.startBuffer,
      initializer: this.#initializer,
      initargs: this.#initargs,
      diagnostics: channels.waitStart.hasSubscribers,
      maxWorkers: this.maxWorkers,
    }
    let run: Promise<unknown>
    try {
      run = this.#tiny.run(init, { transferList: [port2] as never, signal: session.abort.signal })
    } catch (error) {
      // new Worker() threw in tinypool (e.g. ERR_WORKER_INVALID_EXEC_ARGV): a thread that could
      // not start, not a crash of the caller
      run = Promise.reject(error instanceof Error ? error : new Error(String(error)))
    }
    run.then(
      () => {
        this.#ended(session)
        this.#end(session)
      },
      (error: unknown) => {
        this.#ended(session)
        this.#death(session, { error })
      },
    )
    this.#watchThreads()
    return session
  }

  /** tinypool has no event for a new thread: look for new ones after each run(). */
  #watchThreads(): void {
    for (const thread of this.#tiny.threads) {
      if (this.#watched.has(thread)) continue
      this.#watched.add(thread)
      thread.on('exit', (code: number) => {
        this.#onThreadExit(thread, code)
      })
      thread.on('error', (error: Error) => {
        this.#onThreadError(thread, error)
      })
    }
  }

  /**
   * tinypool 2.2.0 does not notice a worker thread that exits without an uncaught error
   * (`process.exit()` in a task, or `terminate()`): the task on it never settles and the dead
   * thread keeps its place. We fail the session here, then report the exit to tinypool as an
   * 'error' on that thread, which makes tinypool drop it and settle its task.
   */
  #onThreadExit(thread: TinypoolWorker, code: number): void {
    if (!this.#tiny.threads.includes(thread)) return // tinypool ended it
    const session = this.#sessionOfThread(thread.threadId)
    const error = new WorkerExitError(`worker thread exited with code ${String(code)}`, { exitCode: code })
    if (session !== undefined) this.#death(session, { exitCode: code })
    thread.emit('error', error)
  }

  /**
   * A thread that fails before any session on it said hello never started (a worker entry that
   * cannot load, resourceLimits too small to boot, the system out of memory). tinypool 2.2.0
   * then keeps the session's task queued forever: the pool takes the sessions that never started
   * out (their tasks leave tinypool's queue through their abort signal, their work goes back to
   * the front of the queue) and starts new ones after a growing delay (@x/pool-kit's
   * StartBackoff). After 5 such failures in a row, with no thread serving, the pool is broken.
   */
  #onThreadError(thread: TinypoolWorker, error: Error): void {
    this.#sessionOfThread(thread.threadId) // reads the hellos that arrived
    if (this.#greeted.has(thread.threadId)) return
    const verdict = this.#backoff.failed()
    const serving = [...this.#sessions].some((s) => s.threadId !== undefined)
    if (!verdict.retry && !serving) {
      this.#breakPool(
        undefined,
        new BrokenThreadPoolError(
          `a worker thread failed to start (${describe(error)}), ${String(verdict.failures)} times in a row with none ` +
            'starting in between (each retried after a growing delay): the thread pool is not usable anymore',
          { cause: error },
        ),
      )
      return
    }
    for (const s of [...this.#sessions]) {
      if (s.threadId !== undefined) continue
      this.#death(s, { error })
      s.abort.abort()
    }
    if (this.#startDelay === undefined && this.#broken === undefined) {
      this.#startDelay = setTimeout(() => {
        this.#startDelay = undefined
        this.#schedulePump()
      }, verdict.delayMs)
    }
  }

  #sessionOfThread(threadId: number): Session | undefined {
    for (const s of this.#sessions) {
      if (s.threadId === undefined) this.#drainPort(s)
      if (s.threadId === threadId) return s
    }
    return undefined
  }

  #drainPort(session: Session): void {
    for (let entry = receiveMessageOnPort(session.port); entry !== undefined; entry = receiveMessageOnPort(session.port)) {
      this.#onMessage(session, entry.message as UpMessage)
    }
  }

  // ---- messages from workers ---------------------------------------------------------------------

  #onMessage(session: Session, message: UpMessage): void {
    switch (message[0]) {
      case 'result': {
        const item = session.items.get(message[1])
        if (item === undefined) return
        session.items.delete(message[1])
        // Started and finished since the pool last looked: `future:finish` alone says it all (the
        // event contract lets a backend leave `future:start` out then); one event less per task
        // matters for tiny tasks while a subscriber listens.
        if (!item.started) this.#markStarted(item, false)
        this.#slots.release(item)
        if (message[2]) this.#succeed(item, message[3])
        else this.#fail(item, deserializeError(message[3]))
        if (this.#retireIfSpent(session)) return
        if (session.items.size === 0) {
          session.noPrefetch = false
          if (this.#queue.live === 0) this.#steal(session)
        }
        if (this.#queue.live > 0 && session.items.size <= PREFETCH / 2) this.#schedulePump()
        else this.#checkIdle()
        return
      }
      case 'started': {
        const item = session.items.get(message[1])
        if (item !== undefined) this.#sync(item)
        return
      }
      case 'hello':
        session.threadId = message[1]
        this.#greeted.add(message[1])
        this.#backoff.started()
        return
      case 'initFailed':
        this.#breakPool(
          session,
          new BrokenThreadPoolError('A thread initializer failed, the thread pool is not usable anymore', {
            cause: deserializeError(message[1]),
          }),
        )
        return
      case 'submit':
        this.#nestedSubmit(session, message)
        return
      case 'cancel':
        session.nested.get(message[1])?.future.cancel()
        return
      case 'shutdown': {
        // shutdown() from inside a task: published with the calling task, done without waiting
        // (the task's own call rejects with "cannot join current thread" when it asked to wait).
        const [, wait, cancelFutures, callerTaskId] = message
        if (channels.executorShutdown.hasSubscribers) {
          channels.executorShutdown.publish({ executorId: this.id, wait, cancelFutures, callerTaskId })
        }
        void this.#beginShutdown(cancelFutures)
        return
      }
      case 'waitStart':
        this.#waitStart(session, message)
        return
      case 'waitEnd': {
        const wait = session.waits.get(message[1])
        session.waits.delete(message[1])
        if (wait === undefined || wait.ended) return
        wait.ended = true
        if (channels.waitEnd.hasSubscribers) channels.waitEnd.publish({ waitId: wait.waitId, reason: message[2] })
        return
      }
    }
  }

  #nestedSubmit(session: Session, message: Extract<UpMessage, readonly ['submit', ...unknown[]]>): void {
    const [, localId, spec, args, name, callerTaskId, chunk] = message
    // The calling task will probably wait for it: give the work queued behind it to others.
    session.noPrefetch = true
    this.#reclaim(session, Infinity)
    let item: Item
    try {
      this.#checkOpen()
      item = this.#enqueue(this.#intern(spec), args, {
        name: name ?? defaultName(spec),
        signal: undefined,
        transfer: undefined,
        chunk,
        callerTaskId,
      })
    } catch (error) {
      session.port.postMessage(['settled', localId, 'error', serializeError(error)] satisfies DownMessage)
      return
    }
    session.nested.set(localId, item)
    item.notify = (how, value) => {
      session.nested.delete(localId)
      if (!session.alive) return
      const payload = how === 'error' ? serializeError(value) : value
      try {
        session.port.postMessage(['settled', localId, how, payload] satisfies DownMessage)
      } catch (error) {
        session.port.postMessage(['settled', localId, 'error', serializeError(error)] satisfies DownMessage)
      }
    }
    if (item.where === 'done') {
      const notify = item.notify
      item.notify = undefined
      notify('cancelled', undefined)
    }
  }

  #waitStart(session: Session, message: Extract<UpMessage, readonly ['waitStart', ...unknown[]]>): void {
    const [, localWaitId, taskId, localIds, mode, timeout, stack] = message
    const futureIds: number[] = []
    for (const localId of localIds) {
      const item = session.nested.get(localId)
      if (item !== undefined) futureIds.push(item.future.id)
    }
    if (taskId !== undefined) {
      const waiting = session.items.get(taskId)
      if (waiting !== undefined) this.#sync(waiting)
    }
    // The waiting task holds its worker: move the work queued behind it elsewhere.
    this.#reclaim(session, Infinity)
    this.#schedulePump()
    if (!channels.waitStart.hasSubscribers) return
    const wait = { waitId: newWaitId(), ended: false }
    session.waits.set(localWaitId, wait)
    channels.waitStart.publish({
      waitId: wait.waitId,
      taskId,
      futureIds,
      mode,
      timeout,
      stack,
      reject: (error: Error) => {
        if (wait.ended || !session.alive) return
        try {
          session.port.postMessage(['rejectWait', localWaitId, serializeError(error)] satisfies DownMessage)
        } catch {
          // the error cannot be cloned even as data: nothing to deliver
        }
      },
    })
  }

  // ---- future states -----------------------------------------------------------------------------

  /** Reads the shared word: a task the worker has claimed becomes RUNNING here too. */
  #sync(item: Item): void {
    if (item.where === 'sent' && !item.started && this.#slots.startedBy(item)) this.#markStarted(item)
  }

  #markStarted(item: Item, announce = true): void {
    item.started = true
    // the worker claimed it earlier than now: time the run from its own clock reading
    item.future.setRunningOrNotifyCancel(this.#slots.startTime(item))
    if (announce && channels.futureStart.hasSubscribers) {
      channels.futureStart.publish({ futureId: item.future.id, executorId: this.id, workerId: item.session?.id ?? 0 })
    }
  }

  #cancel(item: Item): boolean {
    if (item.where === 'queued') {
      item.where = 'done'
      this.#queue.live--
      item.future.cancelHere()
      item.future.setRunningOrNotifyCancel()
      this.#finish(item, 'cancelled', undefined)
      return true
    }
    if (item.where === 'sent' && !item.started && this.#slots.claim(item, CANCELLED)) {
      const session = item.session
      session?.items.delete(item.future.id)
      this.#slots.release(item)
      item.where = 'done'
      item.future.cancelHere()
      item.future.setRunningOrNotifyCancel()
      this.#finish(item, 'cancelled', undefined)
      if (session !== undefined && this.#retireIfSpent(session)) return true
      if (session?.alive === true && session.items.size === 0 && this.#queue.live === 0) this.#steal(session)
      this.#checkIdle()
      return true
    }
    this.#sync(item)
    return item.future.cancelHere()
  }

  #succeed(item: Item, value: unknown): void {
    item.where = 'done'
    item.future.setResult(value)
    this.#finish(item, 'ok', value)
  }

  #fail(item: Item, error: unknown): void {
    if (item.where === 'queued') this.#queue.live--
    item.where = 'done'
    if (!item.started) {
      item.started = true
      item.future.setRunningOrNotifyCancel()
    }
    item.future.setException(error)
    this.#finish(item, 'error', error)
  }

  #finish(item: Item, how: 'ok' | 'error' | 'cancelled', value: unknown): void {
    this.#outstanding--
    if (item.onAbort !== undefined) item.signal?.removeEventListener('abort', item.onAbort)
    if (item.graceTimer !== undefined) clearTimeout(item.graceTimer)
    const notify = item.notify
    if (notify !== undefined) {
      item.notify = undefined
      notify(how, value)
    }
  }

  // ---- abort, death, stealing ----------------------------------------------------------------------

  #abort(item: Item): void {
    if (item.where === 'done') return
    if (item.future.cancel()) return
    const session = item.session
    if (session === undefined || !session.alive || item.where !== 'sent') return
    const reason: unknown = item.signal?.reason
    session.port.postMessage(['abort', item.future.id, serializeError(reason)] satisfies DownMessage)
    item.graceTimer = setTimeout(() => {
      item.graceTimer = undefined
      if (item.where !== 'sent' || !session.alive) return
      session.kill = { item, reason }
      this.#drainPort(session)
      if (isDone(item)) return
      const thread = this.#tiny.threads.find((t) => t.threadId === session.threadId)
      if (thread === undefined) {
        this.#death(session, { exitCode: undefined })
        return
      }
      void thread.terminate()
    }, this.#grace)
    item.graceTimer.unref()
  }

  #death(session: Session, cause: { error?: unknown; exitCode?: number | undefined }): void {
    if (!session.alive) return
    // Deliver what the worker finished before it died.
    this.#drainPort(session)
    session.alive = false
    this.#sessions.delete(session)
    session.port.close()
    const failedIds: number[] = []
    const again: Item[] = []
    for (const item of session.items.values()) {
      if (item.where !== 'sent') continue
      if (this.#slots.claim(item, RECLAIMED)) {
        this.#slots.release(item)
        if (item.transfer === undefined) {
          item.where = 'queued'
          item.session = undefined
          again.push(item)
          continue
        }
        failedIds.push(item.future.id)
        this.#fail(item, deathError(cause, 'its transferred arguments were lost with the worker before it started'))
        continue
      }
      this.#slots.release(item)
      failedIds.push(item.future.id)
      if (session.kill?.item === item) this.#fail(item, session.kill.reason)
      else this.#fail(item, deathError(cause, undefined))
    }
    session.items.clear()
    for (const nested of session.nested.values()) nested.notify = undefined
    for (const wait of session.waits.values()) {
      if (wait.ended) continue
      wait.ended = true
      if (channels.waitEnd.hasSubscribers) channels.waitEnd.publish({ waitId: wait.waitId, reason: 'settled' })
    }
    session.waits.clear()
    if (again.length > 0) this.#queue.unshift(again)
    if (channels.workerExit.hasSubscribers) {
      channels.workerExit.publish({
        executorId: this.id,
        workerId: session.id,
        exitCode: cause.exitCode ?? (cause.error === undefined ? undefined : 1),
        signal: undefined,
        futureIds: failedIds,
      })
    }
    this.#schedulePump()
  }

  /** A session's tinypool task settled: a released one no longer holds its thread. */
  #ended(session: Session): void {
    if (!session.released) return
    this.#ending--
    if (this.#queue.live > 0) this.#schedulePump()
  }

  /**
   * maxTasksPerWorker: a session that has run its share and holds nothing more ends its thread
   * (tinypool then starts a fresh one if it keeps `minWorkers`; otherwise one starts when work
   * comes). The session leaves the pool at once and counts as ending until its thread is gone;
   * the thread's exit takes the path of any exit (see #onThreadExit), with no session to fail.
   */
  #retireIfSpent(session: Session): boolean {
    if (!session.alive || session.items.size > 0 || session.assigned < this.#maxTasks) return false
    const thread = this.#tiny.threads.find((t) => t.threadId === session.threadId)
    session.alive = false
    session.released = true
    this.#ending++
    this.#sessions.delete(session)
    if (thread === undefined) {
      // its thread is not known (it never said hello): hand the thread back to tinypool instead
      try {
        session.port.postMessage(['release'] satisfies DownMessage)
      } catch {
        // the worker is gone already
      }
    } else {
      session.port.close()
      void thread.terminate()
    }
    if (this.#queue.live > 0) this.#schedulePump()
    else this.#checkIdle()
    return true
  }

  /** A released session's tinypool task resolved. */
  #end(session: Session): void {
    if (!session.alive) return
    this.#death(session, { exitCode: 0 })
  }

  /** Takes back up to `count` tasks a worker has not started (newest first) and queues them first. */
  #reclaim(session: Session, count: number): void {
    const taken: Item[] = []
    const items = [...session.items.values()]
    for (let i = items.length - 1; i >= 0 && taken.length < count; i--) {
      const item = items[i]
      if (item === undefined || item.started || item.transfer !== undefined) continue
      if (!this.#slots.claim(item, RECLAIMED)) continue
      session.items.delete(item.future.id)
      session.assigned--
      this.#slots.release(item)
      item.where = 'queued'
      item.session = undefined
      taken.push(item)
    }
    if (taken.length > 0) this.#queue.unshift(taken.reverse())
  }

  /** An idle worker takes half of the not-started tasks of the busiest one. */
  #steal(idle: Session): void {
    let busiest: Session | undefined
    for (const s of this.#sessions) {
      if (s !== idle && s.items.size > 1 && (busiest === undefined || s.items.size > busiest.items.size)) busiest = s
    }
    if (busiest === undefined) return
    this.#reclaim(busiest, Math.ceil((busiest.items.size - 1) / 2))
    if (this.#queue.live > 0) this.#schedulePump()
  }

  #cancelPending(): void {
    // Workers first: what an idle worker steals meanwhile lands in the queue, cancelled next.
    for (const session of this.#sessions) {
      for (const item of [...session.items.values()]) {
        if (!item.started) item.future.cancel()
      }
    }
    for (const item of this.#queue.drain()) {
      this.#queue.live++
      item.future.cancel()
    }
  }

  #breakPool(session: Session | undefined, error: BrokenThreadPoolError): void {
    this.#broken ??= error
    if (this.#startDelay !== undefined) clearTimeout(this.#startDelay)
    this.#startDelay = undefined
    const broken = this.#broken
    for (const item of this.#queue.drain()) {
      this.#queue.live++
      this.#fail(item, broken)
    }
    // The task whose start ran the initializer, and everything handed to this worker.
    for (const item of session === undefined ? [] : [...session.items.values()]) {
      session?.items.delete(item.future.id)
      this.#slots.claim(item, RECLAIMED)
      this.#slots.release(item)
      this.#fail(item, broken)
    }
    for (const s of this.#sessions) {
      if (s === session) continue
      for (const item of [...s.items.values()]) {
        if (item.started || !this.#slots.claim(item, RECLAIMED)) continue
        s.items.delete(item.future.id)
        this.#slots.release(item)
        this.#fail(item, broken)
      }
    }
    this.#checkIdle()
  }

  // ---- idleness and closing ------------------------------------------------------------------------

  /**
   * With nothing left to do, the pool releases its sessions (one event-loop turn later, so a
   * quick next submit reuses them): tinypool then stops holding the event loop, and an idle pool
   * never keeps the process alive. The threads stay (until `idleTimeout`), unreferenced.
   */
  #checkIdle(): void {
    if (this.#outstanding > 0) return
    const waiters = this.#idleWaiters
    if (waiters.length > 0) {
      this.#idleWaiters = []
      for (const resolve of waiters) resolve()
    }
    if (this.#sessions.size === 0 || this.#releaseTimer !== undefined) return
    this.#releaseTimer = setImmediate(() => {
      this.#releaseTimer = undefined
      if (this.#outstanding === 0) this.#releaseAll()
    })
  }

  #releaseAll(): void {
    for (const session of [...this.#sessions]) {
      session.released = true
      this.#ending++
      session.alive = false
      this.#sessions.delete(session)
      const port = session.port
      this.#releasedPorts.add(port)
      port.once('close', () => this.#releasedPorts.delete(port))
      try {
        session.port.postMessage(['release'] satisfies DownMessage)
      } catch {
        // the worker is gone already
      }
    }
  }

  async #close(): Promise<void> {
    if (this.#outstanding > 0) {
      await new Promise<void>((resolve) => {
        this.#idleWaiters.push(resolve)
      })
    }
    if (this.#releaseTimer !== undefined) {
      clearImmediate(this.#releaseTimer)
      this.#releaseTimer = undefined
    }
    if (this.#startDelay !== undefined) clearTimeout(this.#startDelay)
    this.#startDelay = undefined
    this.#releaseAll()
    const threads = [...this.#tiny.threads]
    await this.#tiny.destroy()
    // A thread ended before it read 'release' leaves our end of its port open.
    for (const port of this.#releasedPorts) port.close()
    this.#releasedPorts.clear()
    // tinypool closes its own port of each thread a few ticks after the thread's 'exit' (which
    // is what destroy() awaits), and a closed port goes away on the next loop turn: wait for
    // both, so nothing of the pool is left when shutdown() resolves.
    await Promise.all(threads.map((thread) => thread.terminate()))
    for (let turn = 0; turn < 2; turn++) await new Promise<void>((resolve) => setImmediate(resolve))
  }
}

