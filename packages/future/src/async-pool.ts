import type { Callable } from './callable.js'
import { currentTask } from './context.js'
import { channels } from './channels.js'
import type { FutureStartEvent, FutureSubmitEvent } from './diagnostics.js'
import { describeValue, FutureError, ShutdownError } from './errors.js'
import { Executor } from './executor.js'
import type { FunctionOf, ShutdownOptions, SubmitArgs, SubmitOptions } from './executor-types.js'
import { Future } from './future.js'
import { kFutureCancelled, kSetCancelHook } from './future-hooks.js'
import { argumentsOf, AsyncTask, kPump, kTaskEnded, SignalLink, Slot } from './async-task.js'
import { isTask } from './task.js'
import type { Task } from './task.js'
import { generatorOf, openStream, streamArguments } from './stream.js'
import type { StreamFunction, StreamOptions } from './stream.js'
import { checkOptions, checkPositiveInteger } from './validate.js'
import { runTasksTogether } from './task-storage.js'

/**
 * What a generator function yields.
 *
 * @since 0.1.0
 */
export type Yielded<G> = G extends (...args: any[]) => AsyncIterator<infer T> | Iterator<infer T> ? T : never

/**
 * Options of {@link AsyncPoolExecutor}.
 *
 * @since 0.1.0
 */
export interface AsyncPoolExecutorOptions {
  /**
   * How many calls run at once. @default `Math.min(32, os.availableParallelism() + 4)`, like
   * Python's thread pool.
   */
  maxWorkers?: number | undefined
  /** A label for diagnostics. @default `AsyncPoolExecutor #<id>` */
  name?: string | undefined
  /**
   * At most this many calls wait to start (besides `maxWorkers` running); `submit()` beyond it
   * throws `QueueFullError`. See {@link Executor.maxQueue}. @default Infinity
   */
  maxQueue?: number | undefined
}

const MAX_LENT_WORKERS = 32

/**
 * Runs async (or plain) functions on this thread, at most `maxWorkers` at once, in submission
 * order. Closures work, since nothing leaves the thread. It is the reference implementation of
 * the `Executor` contract and the in-thread answer for I/O-bound work: Python's thread-pool
 * examples port to it directly.
 *
 * @example
 * ```ts
 * await using ex = new AsyncPoolExecutor({ maxWorkers: 8 })
 * const pages = urls.map((url) => ex.submitWith({ name: url }, async () => (await fetch(url)).text()))
 * for await (const f of asCompleted(pages)) console.log(f.name, (await f).length)
 * ```
 *
 * @since 0.1.0
 */
export class AsyncPoolExecutor extends Executor {
  // FIFO queue of calls, three entries each (no object per queued call): the future, the function
  // and the argument (argumentsOf()), read from #head. A cancelled call stays in place and is
  // skipped (its future is no longer PENDING); the array is compacted once its dead head is large.
  #queue: unknown[] = []
  #head = 0
  /** The submit signals of the queued calls submitted with one. */
  #signals: Map<Future, SignalLink> | undefined
  #queued = 0
  #running = 0
  #extraWorkers = 0
  #lent = 0
  #shutdown = false
  #scheduled = false
  #pumping = false
  #drained: Promise<void> | undefined
  #resolveDrained: (() => void) | undefined
  readonly #freeSlots: Slot[] = []
  #nextSlot = 0

  /**
   * @param options `maxWorkers` (default `min(32, availableParallelism() + 4)`), `name`, `maxQueue`.
   * @throws TypeError when `options` has an unknown key, `maxWorkers` is not an integer, `name` is
   *   not a string or `maxQueue` is not a number.
   * @throws RangeError when `maxWorkers` is not above 0 or `maxQueue` is not an integer >= 0 (or
   *   `Infinity`).
   */
  constructor(options?: AsyncPoolExecutorOptions) {
    checkOptions(options, 'AsyncPoolExecutor', ['maxWorkers', 'name', 'maxQueue'])
    const maxWorkers =
      options?.maxWorkers === undefined
        ? Math.min(32, process.getBuiltinModule('node:os').availableParallelism() + 4)
        : checkPositiveInteger(options.maxWorkers, 'max_workers must be greater than 0', 'maxWorkers')
    if (options?.name !== undefined && typeof options.name !== 'string') {
      throw new TypeError(`AsyncPoolExecutor: name must be a string, got ${describeValue(options.name)}`)
    }
    super({ kind: 'async', maxWorkers, name: options?.name, maxQueue: options?.maxQueue })
  }

  /**
   * Runs `fn(...args)` on this thread once one of the `maxWorkers` slots is free (see
   * {@link Executor.submitWith}).
   *
   * @throws {@link ShutdownError} after `shutdown()`.
   * @throws {@link QueueFullError} when `maxQueue` calls already wait; nothing is queued.
   * @throws TypeError when `fn` is neither a function nor a `task(url, name)` handle, or `options`
   *   has an unknown key or a wrong type (`name` not a string, `signal` not an `AbortSignal`).
   */
  submitWith<C extends Callable>(
    options: SubmitOptions,
    fn: C,
    ...args: SubmitArgs<C>
  ): Future<Awaited<ReturnType<FunctionOf<C>>>> {
    checkOptions(options, 'submitWith', ['name', 'signal', 'transfer'])
    if (typeof fn !== 'function' && !isTask(fn)) {
      throw new TypeError(`submit(): expected a function or a task(url, name) handle, got ${describeValue(fn)}`)
    }
    const { name, signal } = options
    if (name !== undefined && typeof name !== 'string') {
      throw new TypeError(`submitWith(): name must be a string, got ${describeValue(name)}`)
    }
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new TypeError(`submitWith(): signal must be an AbortSignal, got ${describeValue(signal)}`)
    }
    if (this.#shutdown) throw new ShutdownError()

    const future = new Future<Awaited<ReturnType<FunctionOf<C>>>>({
      name: name ?? (typeof fn === 'function' ? fn.name || undefined : fn.name),
    })
    this.#queue.push(future, fn, argumentsOf(args))
    this.#queued++
    future[kSetCancelHook](this)
    if (channels.futureSubmit.hasSubscribers) {
      channels.futureSubmit.publish({
        futureId: future.id,
        executorId: this.id,
        name: future.name,
        callerTaskId: currentTask()?.id,
      } satisfies FutureSubmitEvent)
    }
    if (signal !== undefined) this.#watchSignal(future, signal)
    this.#schedule()
    return future
  }

  /**
   * Stops taking work; `wait` (default true) resolves when every task is done; `cancelFutures`
   * cancels the queued ones first. Called with `wait: true` from inside one of this executor's
   * own tasks it rejects (that task would wait for itself: "cannot join current thread"), after
   * marking the executor shut down, as Python does.
   */
  shutdown(options?: ShutdownOptions): Promise<void> {
    try {
      checkOptions(options, 'shutdown', ['wait', 'cancelFutures'])
    } catch (error) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rethrows the validation error it caught
      return Promise.reject(error)
    }
    const wait = options?.wait ?? true
    const cancelFutures = options?.cancelFutures ?? false
    this.publishShutdown(wait, cancelFutures)
    this.#shutdown = true
    if (cancelFutures) {
      const queue = this.#queue.slice(this.#head)
      for (let i = 0; i < queue.length; i += 3) (queue[i] as Future).cancel()
    }
    if (!wait) return Promise.resolve()
    if (currentTask()?.executor === this) {
      const error = new FutureError(
        'cannot join current thread: shutdown({ wait: true }) was called from inside a task of this executor, ' +
          'which would wait for itself forever. Call shutdown({ wait: false }) there, or shut down from outside the executor.',
        'ERR_SHUTDOWN_FROM_TASK',
      )
      return Promise.reject(error)
    }
    if (this.#queued === 0 && this.#running === 0) return Promise.resolve()
    this.#drained ??= new Promise<void>((resolve) => {
      this.#resolveDrained = resolve
    })
    return this.#drained
  }

  /**
   * Runs the generator function `fn(...args)` (`function*` or `async function*`, or a
   * `task(url, name)` handle to one) as one task and
   * returns an async iterator of what it yields, in order. The generator pauses at its next
   * `yield` while `highWaterMark` values (default 16) wait for the consumer; `break` (or
   * `return()`, or aborting the options' `signal`) aborts the task's `currentTask().signal` and
   * closes the generator, or cancels the task if it has not started. An error the generator
   * throws reaches the consumer, after the values yielded before it. The last argument is the
   * options when it is a plain object with only `highWaterMark`, `name`, `signal` and
   * `onProgress` (a listener of the progress the generator reports) keys.
   *
   * @example
   * ```ts
   * for await (const row of executor.stream(readRows, path, { highWaterMark: 64 })) {
   *   if (row.last) break // aborts readRows through its signal
   * }
   * ```
   */
  stream<G extends StreamFunction | Task<StreamFunction>>(
    fn: G,
    ...argsAndOptions: [...Parameters<FunctionOf<G>>] | [...Parameters<FunctionOf<G>>, StreamOptions]
  ): AsyncIterableIterator<Yielded<FunctionOf<G>>> {
    const { args, options } = streamArguments(argsAndOptions)
    const generator = typeof fn === 'function' || isTask(fn) ? generatorOf(fn) : (fn as StreamFunction)
    return openStream<Yielded<FunctionOf<G>>>(generator, args, options, (submitOptions, run) => this.submitWith(submitOptions, run))
  }

  /** `stats().workers`: the calls running (this executor has no threads). */
  protected override countWorkers(): number {
    return this.#running
  }

  protected override lendWorker(): (() => void) | undefined {
    if (this.#lent >= MAX_LENT_WORKERS) return undefined
    this.#lent++
    this.#extraWorkers++
    this.#schedule()
    let returned = false
    return () => {
      if (returned) return
      returned = true
      this.#lent--
      this.#extraWorkers--
    }
  }

  #schedule(): void {
    if (this.#scheduled) return
    this.#scheduled = true
    queueMicrotask(() => {
      this.#scheduled = false
      this.#pump()
    })
  }

  #pump(): void {
    // A synchronous task settles inside #start and asks to pump again: let this loop go on
    // instead of recursing (20,000 queued synchronous tasks would overflow the stack).
    if (this.#pumping) return
    this.#pumping = true
    try {
      // the calls started in this loop turn the task context's hooks on and off once, not each
      runTasksTogether(this.#loop)
    } finally {
      this.#pumping = false
    }
    this.#checkDrained()
  }

  readonly #loop = (): void => {
    this.#pumpLoop()
  }

  #pumpLoop(): void {
    while (this.#running < this.maxWorkers + this.#extraWorkers) {
      const queue = this.#queue
      let i = this.#head
      while (i < queue.length && (queue[i] as Future).state !== 'PENDING') i += 3
      if (i >= queue.length) {
        this.#queue = []
        this.#head = 0
        return
      }
      const future = queue[i] as Future
      const fn = queue[i + 1] as Callable
      const arg = queue[i + 2]
      this.#head = i + 3
      this.#queued--
      if (this.#head > 3072 && this.#head * 2 > queue.length) {
        this.#queue = queue.slice(this.#head)
        this.#head = 0
      }
      future[kSetCancelHook](undefined)
      const link = this.#unwatchSignal(future)
      future.setRunningOrNotifyCancel()
      this.#start(new AsyncTask(this, future, fn, arg, link))
    }
  }

  #start(item: AsyncTask): void {
    this.#running++
    const slot = this.#freeSlots.pop() ?? new Slot(this.#nextSlot++)
    if (channels.futureStart.hasSubscribers) {
      channels.futureStart.publish({ futureId: item.id, executorId: this.id, workerId: slot.index } satisfies FutureStartEvent)
    }
    item.start(slot)
  }

  /** @internal A started task is done (its future is settled next). */
  [kTaskEnded](slot: Slot): void {
    this.#running--
    this.#freeSlots.push(slot)
  }

  /** @internal A task settled: start the next ones. */
  [kPump](): void {
    this.#pump()
  }

  /** @internal A queued future was cancelled: leave the queue and tell wait()/asCompleted() at once. */
  [kFutureCancelled](future: Future): void {
    this.#queued--
    this.#unwatchSignal(future)
    future.setRunningOrNotifyCancel()
    this.#checkDrained()
  }

  /** While queued: the submit signal cancels the future when it aborts (at once if it has). */
  #watchSignal(future: Future, signal: AbortSignal): void {
    const link = new SignalLink(signal)
    ;(this.#signals ??= new Map()).set(future, link)
    if (signal.aborted) future.cancel()
    else link.listen(() => future.cancel())
  }

  /** The call left the queue: stop listening to its submit signal; returns its link, if any. */
  #unwatchSignal(future: Future): SignalLink | undefined {
    const signals = this.#signals
    const link = signals?.get(future)
    if (link === undefined) return undefined
    signals?.delete(future)
    link.detach()
    return link
  }

  #checkDrained(): void {
    if (this.#resolveDrained !== undefined && this.#queued === 0 && this.#running === 0) {
      const resolve = this.#resolveDrained
      this.#resolveDrained = undefined
      resolve()
    }
  }
}
