import type { Transferable } from 'node:worker_threads'
import { executorBrand } from './brands.js'
import { isTask } from './task.js'
import type { Task } from './task.js'
import { describeCallable, loadCallable } from './callable.js'
import type { Callable } from './callable.js'
import { channels } from './diagnostics.js'
import type { ExecutorCreateEvent, ExecutorShutdownEvent } from './diagnostics.js'
import { describeValue } from './errors.js'
import type { Future } from './future.js'
import { allocateExecutorId } from './ids.js'
import { runningTaskId } from './task-storage.js'
import { checkTimeout, isPlainObject } from './validate.js'

/** The function type behind a callable: a function, or the function a {@link Task} names. */
export type FunctionOf<C> = C extends Task<infer F> ? F : C extends (...args: any[]) => unknown ? C : never

/** Options of {@link Executor.submitWith}. */
export interface SubmitOptions {
  /** A label for the future, shown in `toString()` and diagnostics. */
  name?: string | undefined
  /**
   * Aborting it while the future is PENDING cancels the future; while the task runs, the task
   * sees `currentTask().signal` abort (a pool may end the worker if the task does not stop).
   */
  signal?: AbortSignal | undefined
  /** Objects to transfer (move) to the worker instead of copying (thread pools). */
  transfer?: readonly Transferable[] | undefined
}

/** Options of {@link Executor.map}: the last argument of `map()` when it is a plain object. */
export interface MapOptions {
  /** Milliseconds, counted from the `map()` call, for the whole iteration. */
  timeout?: number | undefined
  /** Items per task/message (pools send a chunk in one message). @default 1 */
  chunksize?: number | undefined
  /**
   * At most this many chunks are submitted and not yet yielded; inputs are read lazily, so
   * infinite inputs work. Without it, every input is submitted at once (Python's behaviour).
   */
  buffersize?: number | undefined
}

/** Options of {@link Executor.shutdown}. */
export interface ShutdownOptions {
  /** Wait until every running and queued task is done. @default true */
  wait?: boolean | undefined
  /** Cancel the queued (PENDING) futures. @default false */
  cancelFutures?: boolean | undefined
}

/** Static information an executor gives its base class. */
export interface ExecutorInfo {
  /** `'async'`, `'thread'`, `'process'`, or a third-party backend's own word. */
  kind: string
  maxWorkers: number
  /** A label for reports; defaults to `<ClassName> #<id>`. */
  name?: string | undefined
}

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

  protected constructor(info: ExecutorInfo) {
    this.id = allocateExecutorId()
    this.kind = info.kind
    this.maxWorkers = info.maxWorkers
    this.label = info.name ?? `${new.target.name} #${String(this.id)}`
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
   * Throws `ShutdownError` (`cannot schedule new futures after shutdown`) after `shutdown()`.
   */
  submit<C extends Callable>(fn: C, ...args: Args<C>): Future<Result<C>> {
    return this.submitWith({}, fn, ...args)
  }

  /** {@link Executor.submit} with options: a `name`, an abort `signal`, a `transfer` list. */
  abstract submitWith<C extends Callable>(options: SubmitOptions, fn: C, ...args: Args<C>): Future<Result<C>>

  /**
   * Stops taking new work. With `wait` (default) it resolves once every task is done; with
   * `cancelFutures` the queued ones are cancelled first. Calling it again is harmless.
   */
  abstract shutdown(options?: ShutdownOptions): Promise<void>

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
   */
  map<C extends Callable>(
    fn: C,
    ...iterablesAndOptions: [...Iterables<Args<C>>] | [...Iterables<Args<C>>, MapOptions]
  ): AsyncIterableIterator<Result<C>> {
    let iterables: unknown[] = iterablesAndOptions
    let options: MapOptions = {}
    const last = iterablesAndOptions.at(-1)
    if (isPlainObject(last) && !(Symbol.iterator in last)) {
      iterables = iterablesAndOptions.slice(0, -1)
      options = last
    }
    if (typeof fn !== 'function' && !isTask(fn)) {
      throw new TypeError(`map(): expected a function or a task(url, name) handle, got ${describeValue(fn)}`)
    }
    for (const key of Object.keys(options)) {
      if (key !== 'timeout' && key !== 'chunksize' && key !== 'buffersize') {
        throw new TypeError(`map(): unknown option "${key}"; the options are "timeout", "chunksize", "buffersize"`)
      }
    }
    const { timeout, chunksize = 1, buffersize } = options
    checkTimeout(timeout, 'map')
    if (typeof chunksize !== 'number' || !Number.isInteger(chunksize)) {
      throw new TypeError(`chunksize must be an integer >= 1, got ${describeValue(chunksize)}`)
    }
    if (chunksize < 1) throw new RangeError(`chunksize must be >= 1. (got ${String(chunksize)})`)
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- checked at run time for JavaScript callers
    if (buffersize !== undefined && buffersize !== null) {
      if (typeof buffersize !== 'number' || !Number.isInteger(buffersize)) {
        throw new TypeError(`buffersize must be an integer or None (undefined), got ${describeValue(buffersize)}`)
      }
      if (buffersize < 1) throw new RangeError(`buffersize must be None or > 0 (got ${String(buffersize)})`)
    }
    const iterators = iterables.map((iterable, i) => {
      if (iterable === null || iterable === undefined || typeof (iterable as Iterable<unknown>)[Symbol.iterator] !== 'function') {
        throw new TypeError(`map(): input ${String(i + 1)} is not iterable (got ${describeValue(iterable)})`)
      }
      return (iterable as Iterable<unknown>)[Symbol.iterator]()
    })
    return new MapIterator<Result<C>>(this, fn, iterators, {
      deadline: timeout === undefined ? undefined : performance.now() + timeout,
      chunksize,
      buffersize: buffersize ?? undefined,
    })
  }

  /**
   * Submits one chunk of `map()` calls: a future for the array of their results, in order; an
   * error fails the whole chunk. The default runs the calls one after another inside one task on
   * this thread, so it suits in-thread executors only: pools override it to send the chunk to a
   * worker in one message.
   */
  protected submitChunk(fn: Callable, argTuples: unknown[][]): Future<unknown[]> {
    const run = async (f: (...a: unknown[]) => unknown, tuples: unknown[][]): Promise<unknown[]> => {
      const out: unknown[] = []
      for (const tuple of tuples) out.push(await f(...tuple))
      return out
    }
    if (isTask(fn)) {
      const spec = fn
      const runTask = async (tuples: unknown[][]): Promise<unknown[]> => run(await importTask(spec), tuples)
      return this.submit(runTask, argTuples)
    }
    return this.submit(run, fn as (...a: unknown[]) => unknown, argTuples)
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

  /** @internal used by map() */
  static submitChunkOf(executor: Executor, fn: Callable, argTuples: unknown[][]): Future<unknown[]> {
    return executor.submitChunk(fn, argTuples)
  }
}

function importTask(spec: Task): Promise<(...a: unknown[]) => unknown> {
  return loadCallable(describeCallable(spec))
}

interface MapState {
  deadline: number | undefined
  chunksize: number
  buffersize: number | undefined
}

interface Pending {
  future: Future
  chunk: boolean
}

class MapIterator<R> implements AsyncIterableIterator<R> {
  readonly #executor: Executor
  readonly #fn: Callable
  readonly #iterators: Iterator<unknown>[]
  readonly #state: MapState
  readonly #queue: Pending[] = []
  #values: unknown[] = []
  #valueIndex = 0
  #exhausted = false
  #finished = false
  #inFlight: Promise<void> | undefined
  #awaiting: Future | undefined

  constructor(executor: Executor, fn: Callable, iterators: Iterator<unknown>[], state: MapState) {
    this.#executor = executor
    this.#fn = fn
    this.#iterators = iterators
    this.#state = state
    this.#exhausted = iterators.length === 0
    try {
      if (state.buffersize === undefined) {
        while (this.#submitNext());
      } else {
        for (let i = 0; i < state.buffersize && this.#submitNext(); i++);
      }
    } catch (error) {
      this.#cancelAll()
      throw error
    }
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  next(): Promise<IteratorResult<R>> {
    if (this.#inFlight === undefined) {
      // Fast path: the next value of the current chunk is ready and no earlier next() is running.
      if (this.#valueIndex < this.#values.length) {
        return Promise.resolve({ value: this.#values[this.#valueIndex++] as R, done: false })
      }
      return this.#track(this.#next())
    }
    return this.#track(this.#inFlight.then(() => this.#next()))
  }

  /** Marks `step` as the call in flight until it settles; calls made meanwhile queue behind it. */
  #track(step: Promise<IteratorResult<R>>): Promise<IteratorResult<R>> {
    // This reaction is registered before the caller's own, so the marker is clear by the time the
    // caller resumes and asks for the next value.
    const settled: Promise<void> = step.then(
      () => {
        if (this.#inFlight === settled) this.#inFlight = undefined
      },
      () => {
        if (this.#inFlight === settled) this.#inFlight = undefined
      },
    )
    this.#inFlight = settled
    return step
  }

  return(): Promise<IteratorResult<R>> {
    this.#finish()
    return Promise.resolve({ value: undefined, done: true })
  }

  /** Reads one zipped input tuple (or a chunk of them) and submits it; false when inputs ran out. */
  #submitNext(): boolean {
    if (this.#exhausted) return false
    const { chunksize } = this.#state
    const tuples: unknown[][] = []
    while (tuples.length < chunksize) {
      const tuple: unknown[] = []
      for (const iterator of this.#iterators) {
        const step = iterator.next()
        if (step.done === true) {
          this.#exhausted = true
          break
        }
        tuple.push(step.value)
      }
      if (this.#exhausted) break
      tuples.push(tuple)
    }
    if (this.#exhausted) this.#closeInputs()
    if (tuples.length === 0) return false
    if (chunksize === 1 && tuples[0] !== undefined) {
      const future: Future = this.#executor.submit(this.#fn, ...(tuples[0] as []))
      this.#queue.push({ future, chunk: false })
    } else {
      this.#queue.push({ future: Executor.submitChunkOf(this.#executor, this.#fn, tuples), chunk: true })
    }
    return !this.#exhausted
  }

  #closeInputs(): void {
    for (const iterator of this.#iterators) {
      try {
        iterator.return?.()
      } catch {
        // an input that fails to close loses nothing here
      }
    }
  }

  async #next(): Promise<IteratorResult<R>> {
    if (this.#valueIndex < this.#values.length) {
      return { value: this.#values[this.#valueIndex++] as R, done: false }
    }
    if (this.#finished) return { value: undefined, done: true }
    if (this.#state.buffersize !== undefined) {
      try {
        this.#submitNext()
      } catch (error) {
        this.#finish()
        throw error
      }
    }
    const head = this.#queue.shift()
    if (head === undefined) {
      this.#finish()
      return { value: undefined, done: true }
    }
    const { deadline } = this.#state
    let value: unknown
    this.#awaiting = head.future
    try {
      value = await head.future.result(deadline === undefined ? undefined : deadline - performance.now())
    } catch (error) {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- return() may run during the await
      if (this.#finished) return { value: undefined, done: true }
      head.future.cancel()
      this.#finish()
      throw error
    } finally {
      this.#awaiting = undefined
    }
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- return() may run during the await
    if (this.#finished) return { value: undefined, done: true }
    if (!head.chunk) return { value: value as R, done: false }
    this.#values = value as unknown[]
    this.#valueIndex = 0
    return this.#next()
  }

  #finish(): void {
    if (this.#finished) return
    this.#finished = true
    this.#values = []
    this.#awaiting?.cancel()
    this.#cancelAll()
    if (!this.#exhausted) {
      this.#exhausted = true
      this.#closeInputs()
    }
  }

  #cancelAll(): void {
    for (const { future } of this.#queue) future.cancel()
    this.#queue.length = 0
  }
}
