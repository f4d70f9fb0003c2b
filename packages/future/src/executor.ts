import { executorBrand } from './brands.js'
import { isTask } from './task.js'
import { chunkTask, runChunk } from './chunk-runner.js'
import type { Callable } from './callable.js'
import { channels } from './channels.js'
import type { ExecutorCreateEvent, ExecutorShutdownEvent } from './diagnostics.js'
import { Accounting, checkMaxQueue } from './accounting.js'
import { DependentCall, hasDependencies } from './dependencies.js'
import type { DependencyHost } from './dependencies.js'
import { describeValue, ShutdownError } from './errors.js'
import { tuplesOf } from './map-iterator.js'
import type { MapTarget } from './map-iterator.js'
import { openMap } from './open-map.js'
import type { MapOptions } from './open-map.js'
import type { MapColumn } from './map-column.js'
import type { Future } from './future.js'
import { allocateExecutorId } from './ids.js'
import type { ExecutorStats } from './stats.js'
import type { ExecutorInfo, FunctionOf, ShutdownOptions, SubmitArgs, SubmitOptions } from './executor-types.js'

export type { MapOptions } from './open-map.js'
import { runningTaskId } from './task-storage.js'
import { isPlainObject } from './validate.js'
import { registerClass } from './class-registry.js'

type Args<C> = Parameters<FunctionOf<C>>
type Result<C> = Awaited<ReturnType<FunctionOf<C>>>

type Iterables<A extends readonly unknown[]> = { [K in keyof A]: Iterable<A[K]> }

/**
 * What every executor does: run calls somewhere and hand back a {@link Future} per call.
 * Implementations: `AsyncPoolExecutor` (this thread), `ThreadPoolExecutor` (`@x/thread-pool`),
 * `ProcessPoolExecutor` (`@x/process-pool`), or your own (see the README, "Writing a backend").
 *
 * @example
 * ```ts
 * await using ex = new AsyncPoolExecutor({ maxWorkers: 4 })
 * const f = ex.submit(async (a: number, b: number) => a + b, 1, 2)
 * console.log(await f) // 3
 * for await (const n of ex.map(async (x: number) => x * x, [1, 2, 3])) console.log(n)
 * ```
 *
 * @since 0.1.0
 */
export abstract class Executor implements AsyncDisposable {
  /** Unique in the process, increasing (diagnostics). */
  readonly id: number
  /** `'async'`, `'thread'`, `'process'`, ... */
  readonly kind: string
  /** A label for reports, e.g. `ThreadPoolExecutor #2`. */
  readonly label: string
  /** The most calls that run at once. */
  readonly maxWorkers: number

  readonly #accounting: Accounting
  /** The backend's own `submitWith`, which the instance's `submitWith` wraps. */
  readonly #submitWith: (this: Executor, ...args: unknown[]) => Future
  #shutdownCalled = false
  /** Inside submitChunk(): a chunk counts once, even when the backend submits it through submit(). */
  #inChunk = false
  /** Calls waiting on their dependencies (futures among their arguments). */
  readonly #dependents = new Set<DependentCall>()
  readonly #host: DependencyHost
  /** shutdown() was called while calls waited on dependencies: the backend hears of it once they are handed over. */
  #shutdownDeferred = false
  #noDependents: (() => void)[] = []

  protected constructor(info: ExecutorInfo) {
    this.id = allocateExecutorId()
    this.kind = info.kind
    this.maxWorkers = info.maxWorkers
    this.label = info.name ?? `${new.target.name} #${String(this.id)}`
    this.#accounting = new Accounting(info.maxWorkers, checkMaxQueue(info.maxQueue, new.target.name))
    // The backend implements submitWith() and shutdown() on its prototype; the instance gets
    // wrappers that add what every executor shares (maxQueue, stats(), dependencies) and call
    // the backend's own method. `submit()` and `map()` go through them too.
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called with this instance as `this`
    this.#submitWith = this.submitWith as never
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called with this instance as `this`
    const shutdown = this.shutdown
    this.#host = {
      id: this.id,
      submitNow: (call) => Reflect.apply<Executor, unknown[], Future>(this.#submitWith, this, call),
      released: (dependent) => {
        this.#dependents.delete(dependent)
        if (this.#dependents.size === 0) for (const resolve of this.#noDependents.splice(0)) resolve()
      },
    }
    Object.defineProperties(this, {
      submitWith: {
        value: (...call: unknown[]): Future => this.#submit(call),
        writable: true,
        configurable: true,
      },
      shutdown: {
        value: (options?: ShutdownOptions): Promise<void> => this.#shutdown(shutdown, options),
        writable: true,
        configurable: true,
      },
    })
    if (channels.executorCreate.hasSubscribers) {
      channels.executorCreate.publish({
        executorId: this.id,
        kind: this.kind,
        name: this.label,
        maxWorkers: this.maxWorkers,
        lendWorker: () => this.lendWorker(),
      } satisfies ExecutorCreateEvent)
    }
  }

  /** @internal */
  // eslint-disable-next-line @typescript-eslint/class-literal-property-style -- a getter keeps the brand off instances' own keys
  get [executorBrand](): true {
    return true
  }

  /**
   * Schedules `fn(...args)` and returns its {@link Future}. `fn` is a function or a
   * `task(url, name)` handle (pools need a handle or a self-contained function).
   *
   * @example
   * ```ts
   * const f = ex.submit(async (a: number, b: number) => a + b, 1, 2)
   * console.log(await f) // 3
   * ```
   *
   * @throws {@link ShutdownError} after `shutdown()` (a broken pool throws its `BrokenExecutorError`).
   * @throws {@link QueueFullError} when `maxQueue` calls already wait; nothing is queued.
   * @throws TypeError when `fn` is neither a function nor a `task(url, name)` handle, or (pools)
   *   an argument cannot be sent to a worker.
   */
  submit<C extends Callable>(fn: C, ...args: SubmitArgs<C>): Future<Result<C>> {
    return this.submitWith({}, fn, ...args)
  }

  /**
   * {@link Executor.submit} with options: a `name`, an abort `signal`, a `transfer` list.
   *
   * @throws {@link ShutdownError} after `shutdown()` (a broken pool throws its `BrokenExecutorError`).
   * @throws {@link QueueFullError} when `maxQueue` calls already wait; nothing is queued.
   * @throws TypeError when `fn` is neither a function nor a `task(url, name)` handle, or (pools)
   *   an argument cannot be sent to a worker.
   * @throws TypeError when `options` is not an object or has an unknown key or a wrong type.
   */
  abstract submitWith<C extends Callable>(options: SubmitOptions, fn: C, ...args: SubmitArgs<C>): Future<Result<C>>

  /**
   * Stops taking new work. With `wait` (default) it resolves once every task is done; with
   * `cancelFutures` the queued ones are cancelled first. Calling it again is harmless.
   *
   * @throws TypeError (the promise rejects) when `options` has an unknown key or a wrong type.
   */
  abstract shutdown(options?: ShutdownOptions): Promise<void>

  /**
   * At most this many calls wait for a worker (besides the `maxWorkers` running); `submit()`
   * beyond it throws `QueueFullError` (code `ERR_QUEUE_FULL`) and queues nothing. `Infinity` (the
   * default) means no limit. Set it to change the limit at run time: lowering it never drops
   * queued calls, it only refuses new ones until the queue is below it.
   */
  get maxQueue(): number {
    return this.#accounting.maxQueue
  }

  /**
   * @throws TypeError when `value` is not a number.
   * @throws RangeError when `value` is not an integer >= 0 or `Infinity`.
   */
  set maxQueue(value: number) {
    this.#accounting.maxQueue = checkMaxQueue(value, 'maxQueue')
  }

  /**
   * Resolves once there is room in the queue: at once when `submit()` would not throw
   * `QueueFullError` now, else when a call finishes or is cancelled. Every waiter is woken when
   * room appears, in the order they waited; another caller may take the room first, so a
   * producer shared by several loops checks again (`map()` with `buffersize` does all of this
   * by itself).
   *
   * @example
   * ```ts
   * const ex = new AsyncPoolExecutor({ maxWorkers: 4, maxQueue: 100 })
   * for await (const line of lines) {
   *   await ex.onRoom()
   *   ex.submit(handle, line)
   * }
   * ```
   */
  onRoom(): Promise<void> {
    return this.#accounting.onRoom()
  }

  /**
   * A snapshot of the executor's load and history: `workers`, `running`, `queued`,
   * `completed`, `failed`, `cancelled` (counted for every call), and `utilization` and
   * `waitTime`/`runTime` as `{ count, mean, p50, p90, p99, max }` in milliseconds, which cover the
   * calls submitted after the first `stats()` call: timing costs two clock readings per call, so
   * it starts when someone asks. Call it once when you create the executor to time everything.
   *
   * @example
   * ```ts
   * const executor = new AsyncPoolExecutor({ maxWorkers: 4 })
   * executor.stats() // start timing
   * // ... work ...
   * const { completed, failed, runTime } = executor.stats()
   * console.log(`${completed} done, ${failed} failed, p99 ${runTime.p99.toFixed(1)} ms`)
   * ```
   */
  stats(): ExecutorStats {
    return this.#accounting.stats(this.countWorkers())
  }

  /**
   * For backends: counts a call that reached the backend without going through `submitWith()`
   * (work a task inside a worker submitted itself, through the pool's main side) in `stats()`
   * like any other call. `maxQueue` never refuses such a call, but it takes room while it waits.
   *
   * @example
   * ```ts
   * const future = this.#engine.submit(...) // a nested call from a worker
   * this.trackCall(future)
   * ```
   * @since 0.1.0
   */
  protected trackCall(future: Future): void {
    const accounting = this.#accounting
    accounting.track(future, accounting.stamp())
  }

  /**
   * For `stats().workers`: the workers (threads, processes) that exist now. The default reads a
   * numeric `workerCount` property or a `pids` array when the backend has one, else counts the
   * running calls. Backends override it.
   */
  protected countWorkers(): number {
    const self = this as unknown as { workerCount?: unknown; pids?: unknown }
    if (typeof self.workerCount === 'number') return self.workerCount
    if (Array.isArray(self.pids)) return self.pids.length
    return this.#accounting.running
  }

  /** The wrapped `submitWith(options, fn, ...args)`: `call` is its arguments. */
  #submit(call: unknown[]): Future {
    if (this.#inChunk) {
      this.#inChunk = false
      return Reflect.apply(this.#submitWith, this, call)
    }
    if (this.#shutdownDeferred) throw new ShutdownError()
    if (hasDependencies(call)) return this.#submitDependent(call)
    const accounting = this.#accounting
    // After shutdown the backend throws its own error (ShutdownError, a Broken*Error).
    if (accounting.outstanding >= accounting.capacity && !this.#shutdownCalled) throw accounting.queueFull(this.label)
    const submitted = accounting.stamp()
    const future = Reflect.apply(this.#submitWith, this, call)
    accounting.track(future, submitted)
    return future
  }

  /** A call with futures among its arguments: it waits for them here, then goes to the backend. */
  #submitDependent(call: unknown[]): Future {
    // the backend refuses it with its own error (ShutdownError, a Broken*Error)
    if (this.#shutdownCalled) return Reflect.apply<Executor, unknown[], Future>(this.#submitWith, this, call)
    const [options, fn] = call
    if (!isPlainObject(options)) throw new TypeError(`submitWith(): options must be an object like { name, signal }, got ${describeValue(options)}`)
    if (typeof fn !== 'function' && !isTask(fn)) {
      throw new TypeError(`submit(): expected a function or a task(url, name) handle, got ${describeValue(fn)}`)
    }
    const accounting = this.#accounting
    if (accounting.outstanding >= accounting.capacity) throw accounting.queueFull(this.label)
    const dependent = new DependentCall(this.#host, call)
    this.#dependents.add(dependent)
    accounting.track(dependent.future, accounting.stamp())
    dependent.start()
    return dependent.future
  }

  /**
   * The wrapped `shutdown()`. Calls still waiting on dependencies are queued work: with
   * `cancelFutures` they are cancelled, else the backend is told once they are handed over (new
   * submits are refused meanwhile), so `wait` covers them too.
   */
  #shutdown(shutdown: (this: Executor, options?: ShutdownOptions) => Promise<void>, options?: ShutdownOptions): Promise<void> {
    this.#shutdownCalled = true
    if (this.#dependents.size > 0 && isPlainObject(options) && options.cancelFutures === true) {
      for (const dependent of [...this.#dependents]) dependent.future.cancel()
    }
    if (this.#dependents.size === 0) return shutdown.call(this, options)
    this.#shutdownDeferred = true
    const later = new Promise<void>((resolve) => {
      this.#noDependents.push(resolve)
    }).then(() => {
      this.#shutdownDeferred = false
      return shutdown.call(this, options)
    })
    if (isPlainObject(options) && options.wait === false) {
      later.catch(() => undefined)
      return Promise.resolve()
    }
    return later
  }

  /** `await using ex = new SomeExecutor()` shuts it down with `wait: true` at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown({ wait: true })
  }

  /**
   * `fn` over the zipped inputs (shortest input wins), yielding results in input order.
   * Without `buffersize`, every call is submitted now; with it, inputs are read lazily.
   * On the first error or on `timeout` (counted from this call) the iterator throws, ends and
   * cancels every call not yet started; `break` does the same.
   *
   * @example
   * ```ts
   * for await (const r of ex.map((a: number, b: number) => a ** b, [2, 3], [8, 2], { chunksize: 100 })) {
   *   console.log(r) // 256, 9
   * }
   * ```
   *
   * @throws TypeError or RangeError at once for bad options (`chunksize`, `buffersize`, `timeout`)
   *   or an argument that is not iterable.
   * @throws {@link TimeoutError} from the iteration when `timeout` runs out; the first failed
   *   call's own error from the iteration.
   */
  map<C extends Callable>(
    fn: C,
    ...iterablesAndOptions: [...Iterables<Args<C>>] | [...Iterables<Args<C>>, MapOptions]
  ): AsyncIterableIterator<Result<C>> {
    const target: MapTarget = {
      submit: (args) => this.submit(fn, ...(args as SubmitArgs<C>)),
      submitChunk: (count, columns) => this.#submitChunkCounted(fn, count, columns),
      hasRoom: () => this.#accounting.hasRoom(),
      onRoom: () => this.#accounting.onRoom(),
    }
    return openMap<Result<C>>(target, fn, iterablesAndOptions)
  }

  /**
   * Submits one chunk of `map()` calls: a future for their results, in order (an array, or an
   * array-like such as the `Float64Array` a pool's chunk of numbers arrives as); an error fails
   * the whole chunk. The default runs the calls one after another inside one task on
   * this thread, so it suits in-thread executors only: pools override it to send the chunk to a
   * worker in one message.
   */
  protected submitChunk(fn: Callable, argTuples: unknown[][]): Future<ArrayLike<unknown>> {
    if (isTask(fn)) return this.submit(chunkTask(fn), argTuples)
    return this.submit(runChunk, fn as (...a: unknown[]) => unknown, argTuples)
  }

  /**
   * {@link Executor.submitChunk} with the arguments by position, as `map()` reads them (no array
   * per call): `columns[j][i]` is argument `j` of call `i`, for `count` calls. The default makes
   * the tuples and calls `submitChunk()`; a pool that sends chunks by column overrides this.
   * @since 0.1.0
   */
  protected submitColumns(fn: Callable, count: number, columns: MapColumn[]): Future<ArrayLike<unknown>> {
    return this.submitChunk(fn, tuplesOf(count, columns))
  }

  /**
   * For deadlock compensation (`@x/diagnostics`'s `'compensate'` mode): run one extra worker
   * beyond `maxWorkers` until the returned function is called. Returns `undefined` when the
   * executor cannot (the default).
   */
  protected lendWorker(): (() => void) | undefined {
    return undefined
  }

  /** Publishes `executor:shutdown` (call it at the start of `shutdown()`). */
  protected publishShutdown(wait: boolean, cancelFutures: boolean): void {
    if (channels.executorShutdown.hasSubscribers) {
      channels.executorShutdown.publish({
        executorId: this.id,
        wait,
        cancelFutures,
        callerTaskId: runningTaskId(),
      } satisfies ExecutorShutdownEvent)
    }
  }

  /** One chunk of map(), counted like a call (it is one task). */
  #submitChunkCounted(fn: Callable, count: number, columns: MapColumn[]): Future<ArrayLike<unknown>> {
    const accounting = this.#accounting
    if (accounting.outstanding >= accounting.capacity && !this.#shutdownCalled) throw accounting.queueFull(this.label)
    const submitted = accounting.stamp()
    this.#inChunk = true
    let future: Future<ArrayLike<unknown>>
    try {
      future = this.submitColumns(fn, count, columns)
    } finally {
      this.#inChunk = false
    }
    accounting.track(future, submitted)
    return future
  }
}

registerClass('Executor', Executor)
