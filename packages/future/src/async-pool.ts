import { availableParallelism } from 'node:os'
import { describeCallable, loadCallable } from './callable.js'
import type { Callable } from './callable.js'
import { currentTask, withTaskContext } from './context.js'
import type { TaskContext } from './context.js'
import { channels } from './diagnostics.js'
import type { FutureStartEvent, FutureSubmitEvent } from './diagnostics.js'
import { describeValue, FutureError, ShutdownError } from './errors.js'
import { Executor } from './executor.js'
import type { FunctionOf, ShutdownOptions, SubmitArgs, SubmitOptions } from './executor.js'
import { Future } from './future.js'
import { kReportProgress, kSetCancelHook } from './future-hooks.js'
import type { CancelHook } from './future-hooks.js'
import { isTask } from './task.js'
import type { Task } from './task.js'
import { generatorOf, openStream, streamArguments } from './stream.js'
import type { StreamFunction, StreamOptions } from './stream.js'
import { checkOptions, checkPositiveInteger } from './validate.js'

/** What a generator function yields. */
export type Yielded<G> = G extends (...args: any[]) => AsyncIterator<infer T> | Iterator<infer T> ? T : never

/** Options of {@link AsyncPoolExecutor}. */
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

/** A queued call. It is its future's cancel hook: a cancel while queued takes it off the queue. */
class WorkItem implements CancelHook {
  onAbort: (() => void) | undefined = undefined
  /** Still in the queue (false once started, or removed by cancel()). */
  queued = true

  constructor(
    readonly executor: AsyncPoolExecutor,
    readonly future: Future,
    readonly fn: Callable,
    readonly args: unknown[],
    readonly signal: AbortSignal | undefined,
  ) {}

  futureCancelled(): void {
    if (this.queued) this.executor[kDropCancelled](this)
  }
}

const kDropCancelled: unique symbol = Symbol('dropCancelled')

/** What `currentTask()` returns inside this executor's tasks. */
class AsyncTaskContext implements TaskContext {
  readonly id: number
  readonly name: string | undefined
  readonly #future: Future

  constructor(
    future: Future,
    readonly signal: AbortSignal,
    readonly executor: AsyncPoolExecutor,
  ) {
    this.id = future.id
    this.name = future.name
    this.#future = future
  }

  progress(value: unknown): void {
    this.#future[kReportProgress](value)
  }
}

/** The signal of a task submitted without one: it never aborts, so all such tasks share it. */
const neverAborted = new AbortController().signal

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
 */
export class AsyncPoolExecutor extends Executor {
  // FIFO queue: an array read from #head. A cancelled item stays in place, marked not queued, and
  // is skipped; the array is compacted once its dead head is large.
  #queue: WorkItem[] = []
  #head = 0
  #queued = 0
  #running = 0
  #extraWorkers = 0
  #lent = 0
  #shutdown = false
  #scheduled = false
  #pumping = false
  #drained: Promise<void> | undefined
  #resolveDrained: (() => void) | undefined
  readonly #freeSlots: number[] = []
  #nextSlot = 0

  constructor(options?: AsyncPoolExecutorOptions) {
    checkOptions(options, 'AsyncPoolExecutor', ['maxWorkers', 'name', 'maxQueue'])
    const maxWorkers =
      options?.maxWorkers === undefined
        ? Math.min(32, availableParallelism() + 4)
        : checkPositiveInteger(options.maxWorkers, 'max_workers must be greater than 0', 'maxWorkers')
    if (options?.name !== undefined && typeof options.name !== 'string') {
      throw new TypeError(`AsyncPoolExecutor: name must be a string, got ${describeValue(options.name)}`)
    }
    super({ kind: 'async', maxWorkers, name: options?.name, maxQueue: options?.maxQueue })
  }

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
    const item = new WorkItem(this, future, fn, args, signal)
    this.#queue.push(item)
    this.#queued++
    future[kSetCancelHook](item)
    if (channels.futureSubmit.hasSubscribers) {
      channels.futureSubmit.publish({
        futureId: future.id,
        executorId: this.id,
        name: future.name,
        callerTaskId: currentTask()?.id,
      } satisfies FutureSubmitEvent)
    }
    if (signal !== undefined) {
      if (signal.aborted) future.cancel()
      else {
        item.onAbort = () => future.cancel()
        signal.addEventListener('abort', item.onAbort, { once: true })
      }
    }
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
    if (cancelFutures) for (const item of this.#queue.slice(this.#head)) if (item.queued) item.future.cancel()
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
      this.#pumpLoop()
    } finally {
      this.#pumping = false
    }
    this.#checkDrained()
  }

  #pumpLoop(): void {
    while (this.#running < this.maxWorkers + this.#extraWorkers) {
      const item = this.#dequeue()
      if (item === undefined) break
      item.future[kSetCancelHook](undefined)
      this.#detachSignal(item)
      if (!item.future.setRunningOrNotifyCancel()) continue
      this.#start(item)
    }
  }

  #start(item: WorkItem): void {
    this.#running++
    const slot = this.#freeSlots.pop() ?? this.#nextSlot++
    const { future, fn, args, signal } = item
    if (channels.futureStart.hasSubscribers) {
      channels.futureStart.publish({ futureId: future.id, executorId: this.id, workerId: slot } satisfies FutureStartEvent)
    }
    // Only a task submitted with a signal can be aborted: the others share one that never aborts.
    let taskSignal = neverAborted
    let abort: (() => void) | undefined
    if (signal !== undefined) {
      const controller = new AbortController()
      taskSignal = controller.signal
      abort = (): void => {
        controller.abort(signal.reason)
      }
      if (signal.aborted) abort()
      else signal.addEventListener('abort', abort, { once: true })
    }
    const context = new AsyncTaskContext(future, taskSignal, this)
    const settle = (ok: boolean, value: unknown): void => {
      if (abort !== undefined) signal?.removeEventListener('abort', abort)
      this.#running--
      this.#freeSlots.push(slot)
      if (ok) future.setResult(value)
      else future.setException(value)
      this.#pump()
    }
    let promise: unknown
    try {
      promise = withTaskContext(context, () =>
        isTask(fn)
          ? loadCallable(describeCallable(fn)).then((f) =>
              f(...args),
            )
          : fn(...args),
      )
    } catch (error) {
      settle(false, error)
      return
    }
    if (isThenable(promise)) {
      Promise.resolve(promise).then(
        (value) => {
          settle(true, value)
        },
        (error: unknown) => {
          settle(false, error)
        },
      )
    } else {
      settle(true, promise)
    }
  }

  /** @internal A queued future was cancelled: leave the queue and tell wait()/asCompleted() at once. */
  [kDropCancelled](item: WorkItem): void {
    item.queued = false
    this.#queued--
    this.#detachSignal(item)
    item.future.setRunningOrNotifyCancel()
    this.#checkDrained()
  }

  #dequeue(): WorkItem | undefined {
    const queue = this.#queue
    while (this.#head < queue.length) {
      const item = queue[this.#head++]
      if (item?.queued === true) {
        item.queued = false
        this.#queued--
        if (this.#head > 1024 && this.#head * 2 > queue.length) {
          this.#queue = queue.slice(this.#head)
          this.#head = 0
        }
        return item
      }
    }
    this.#queue = []
    this.#head = 0
    return undefined
  }

  #detachSignal(item: WorkItem): void {
    if (item.onAbort !== undefined) {
      item.signal?.removeEventListener('abort', item.onAbort)
      item.onAbort = undefined
    }
  }

  #checkDrained(): void {
    if (this.#resolveDrained !== undefined && this.#queued === 0 && this.#running === 0) {
      const resolve = this.#resolveDrained
      this.#resolveDrained = undefined
      resolve()
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}
