import { availableParallelism } from 'node:os'
import { describeCallable, loadCallable } from './callable.js'
import type { Callable } from './callable.js'
import { currentTask } from './context.js'
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
import { openStream, streamArguments } from './stream.js'
import type { StreamFunction, StreamOptions } from './stream.js'
import { runWithStoredTask } from './task-storage.js'
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

/**
 * One call from submit to settle, in one object (per call: no separate queue entry, context,
 * closures or record): the queue entry and its future's cancel hook while it waits, then what
 * `currentTask()` returns inside it while it runs.
 */
class AsyncTask implements CancelHook, TaskContext {
  /** Still in the queue (false once started, or removed by cancel()). */
  queued = true
  /** The worker slot it runs in (diagnostics' `workerId`), once started. */
  slot = -1
  /** While queued: cancels the future when the submit signal aborts. */
  onAbort: (() => void) | undefined = undefined
  /** While running with a submit signal: aborts the task's own signal. */
  #abortRun: (() => void) | undefined = undefined
  #signal: AbortSignal = neverAborted

  constructor(
    readonly executor: AsyncPoolExecutor,
    readonly future: Future,
    readonly fn: Callable,
    readonly args: unknown[],
    /** The `submitWith({ signal })` signal. */
    readonly submitSignal: AbortSignal | undefined,
  ) {}

  /** The id of the task's future. */
  get id(): number {
    return this.future.id
  }

  /** The task's name. */
  get name(): string | undefined {
    return this.future.name
  }

  /** Aborts when the task should stop (its submit signal aborted); never, without one. */
  get signal(): AbortSignal {
    return this.#signal
  }

  progress(value: unknown): void {
    this.future[kReportProgress](value)
  }

  futureCancelled(): void {
    if (this.queued) this.executor[kDropCancelled](this)
  }

  /** Starts the call (in its task context) and settles the future when it is done. */
  start(): void {
    const signal = this.submitSignal
    // Only a task submitted with a signal can be aborted: the others share one that never aborts.
    if (signal !== undefined) {
      const controller = new AbortController()
      this.#signal = controller.signal
      const abort = (): void => {
        controller.abort(signal.reason)
      }
      this.#abortRun = abort
      if (signal.aborted) abort()
      else signal.addEventListener('abort', abort, { once: true })
    }
    let promise: unknown
    try {
      promise = runWithStoredTask(this, callTask, this)
    } catch (error) {
      this.settle(false, error)
      return
    }
    if (isThenable(promise)) {
      Promise.resolve(promise).then(
        (value) => {
          this.settle(true, value)
        },
        (error: unknown) => {
          this.settle(false, error)
        },
      )
    } else {
      this.settle(true, promise)
    }
  }

  /** Runs the callable (inside the task context). */
  call(): unknown {
    const { fn, args } = this
    return isTask(fn) ? loadCallable(describeCallable(fn)).then((f) => f(...args)) : fn(...args)
  }

  settle(ok: boolean, value: unknown): void {
    if (this.#abortRun !== undefined) this.submitSignal?.removeEventListener('abort', this.#abortRun)
    this.executor[kTaskEnded](this.slot)
    if (ok) this.future.setResult(value)
    else this.future.setException(value)
    this.executor[kPump]()
  }
}

function callTask(task: AsyncTask): unknown {
  return task.call()
}

const kDropCancelled: unique symbol = Symbol('dropCancelled')
const kTaskEnded: unique symbol = Symbol('taskEnded')
const kPump: unique symbol = Symbol('pump')

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
  #queue: AsyncTask[] = []
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
    const item = new AsyncTask(this, future, fn, args, signal)
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
   * Runs the generator function `fn(...args)` (`function*` or `async function*`) as one task and
   * returns an async iterator of what it yields, in order. The generator pauses at its next
   * `yield` while `highWaterMark` values (default 16) wait for the consumer; `break` (or
   * `return()`, or aborting the options' `signal`) aborts the task's `currentTask().signal` and
   * closes the generator, or cancels the task if it has not started. An error the generator
   * throws reaches the consumer, after the values yielded before it. The last argument is the
   * options when it is a plain object with only `highWaterMark`, `name` and `signal` keys.
   *
   * @example
   * ```ts
   * for await (const row of executor.stream(readRows, path, { highWaterMark: 64 })) {
   *   if (row.last) break // aborts readRows through its signal
   * }
   * ```
   */
  stream<G extends StreamFunction>(
    fn: G,
    ...argsAndOptions: [...Parameters<G>] | [...Parameters<G>, StreamOptions]
  ): AsyncIterableIterator<Yielded<G>> {
    const { args, options } = streamArguments(argsAndOptions)
    return openStream<Yielded<G>>(fn, args, options, (submitOptions, run) => this.submitWith(submitOptions, run))
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

  #start(item: AsyncTask): void {
    this.#running++
    const slot = (item.slot = this.#freeSlots.pop() ?? this.#nextSlot++)
    if (channels.futureStart.hasSubscribers) {
      channels.futureStart.publish({ futureId: item.id, executorId: this.id, workerId: slot } satisfies FutureStartEvent)
    }
    item.start()
  }

  /** @internal A started task is done (its future is settled next). */
  [kTaskEnded](slot: number): void {
    this.#running--
    this.#freeSlots.push(slot)
  }

  /** @internal A task settled: start the next ones. */
  [kPump](): void {
    this.#pump()
  }

  /** @internal A queued future was cancelled: leave the queue and tell wait()/asCompleted() at once. */
  [kDropCancelled](item: AsyncTask): void {
    item.queued = false
    this.#queued--
    this.#detachSignal(item)
    item.future.setRunningOrNotifyCancel()
    this.#checkDrained()
  }

  #dequeue(): AsyncTask | undefined {
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

  #detachSignal(item: AsyncTask): void {
    if (item.onAbort !== undefined) {
      item.submitSignal?.removeEventListener('abort', item.onAbort)
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
