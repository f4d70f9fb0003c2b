/**
 * `ThreadPoolExecutor`: the public class. It checks its arguments (options.ts) and hands the work
 * to `@x/pool-kit`'s engine, with the claims policy (work sent ahead to a thread stays PENDING
 * and cancellable until the thread claims it), over the worker-thread transport
 * (threads.ts); the thread side is worker.ts.
 *
 * @module
 */
import { channels, checkArguments, currentTask, describeValue, Executor } from '@x/future'
import type { Callable, ExecutorStats, MapColumn, FunctionOf, Future, ShutdownOptions, StreamFunction, StreamOptions, SubmitArgs, SubmitOptions, Task, Yielded } from '@x/future'
import { ClaimWords, openPoolStream, packCallColumns, PoolEngine, streamSinkOption } from '@x/pool-kit'
import type { StreamSubmitOptions } from '@x/pool-kit'
import { threadErrors } from './errors.js'
import { threadExecArgv } from './exec-argv.js'
import { isOptionsObject, parseOptions } from './options.js'
import type { ThreadPoolExecutorOptions } from './options.js'
import { submitMoving, submitOptionError } from './submit-options.js'
import { threadTransport } from './threads.js'
import type { ThreadHandle } from './threads.js'

export type { ThreadPoolExecutorOptions } from './options.js'

/** Claim words per pool: the most tasks sent to its threads and not finished at once. */
const CLAIM_SLOTS = 1 << 15

/**
 * Python's `ThreadPoolExecutor` on Node's `worker_threads`: runs CPU-bound
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
 * @since 0.1.0
 */
export class ThreadPoolExecutor extends Executor {
  readonly #engine: PoolEngine<ThreadHandle>

  constructor(options?: ThreadPoolExecutorOptions) {
    const o = parseOptions(options)
    super({ kind: 'thread', maxWorkers: o.maxWorkers, name: o.name, maxQueue: o.maxQueue })
    const claimWords = new ClaimWords(undefined, CLAIM_SLOTS)
    const label = `${this.label}#${String(this.id)}`
    const maxWorkers = o.maxWorkers
    const transport = threadTransport({
      threadNamePrefix: o.threadNamePrefix,
      resourceLimits: o.resourceLimits,
      // Node's inheritance unless the parent ran with --eval/--input-type/... (see exec-argv.ts)
      execArgv: threadExecArgv(),
      session: () => ({
        label,
        maxWorkers,
        diag: channels.waitStart.hasSubscribers,
        claims: claimWords.buffer,
        starts: claimWords.startsBuffer,
        initializer: o.initializer,
      }),
    })
    this.#engine = new PoolEngine(
      {
        executorId: this.id,
        maxWorkers,
        minWorkers: o.minWorkers,
        maxTasksPerWorker: o.maxTasksPerWorker === Infinity ? undefined : o.maxTasksPerWorker,
        idleTimeout: o.idleTimeout === Infinity ? undefined : o.idleTimeout,
        abortGracePeriod: o.abortGracePeriod,
        claimWords,
        trackNested: (future) => {
          this.trackCall(future)
        },
      },
      transport,
      threadErrors,
      o.initializer,
    )
    this.#engine.ensureMinWorkers()
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
    this.#engine.syncClaims()
    return super.stats()
  }

  /** How many worker threads exist now (starting, idle or busy). */
  get workerCount(): number {
    return this.#engine.workerCount
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
   * @throws `ShutdownError` after `shutdown()`; {@link BrokenThreadPoolError} once the pool is broken.
   * @throws `QueueFullError` when `maxQueue` calls already wait; nothing is queued.
   * @throws TypeError when `fn` is not a function or a `task(url, name)` handle, an argument cannot
   *   be sent to a thread, `options` has an unknown key or a wrong type, or `transfer` lists
   *   something that cannot be transferred.
   */
  submitWith<C extends Callable>(
    options: SubmitOptions,
    fn: C,
    ...args: SubmitArgs<C>
  ): Future<Awaited<ReturnType<FunctionOf<C>>>> {
    // (the checks that throw, and the rare transfer, apart from the path of every call: a
    // function's code that does not run still counts toward the calls V8 waits for before it
    // optimizes the function, and most of the 2,000 calls of issue 13's W2 run before)
    if (!isOptionsObject(options)) throw submitOptionError('options', options)
    const keys = Object.keys(options)
    // eslint-disable-next-line @typescript-eslint/prefer-for-of -- indexed: for-of runs the iterator protocol in V8's unoptimized tiers
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]
      if (key !== 'name' && key !== 'signal' && key !== 'transfer') throw submitOptionError('key', key)
    }
    const { name, signal, transfer } = options
    if (name !== undefined && typeof name !== 'string') throw submitOptionError('name', name)
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw submitOptionError('signal', signal)
    if (transfer !== undefined && !Array.isArray(transfer)) throw submitOptionError('transfer', transfer)
    this.#engine.checkOpen()
    const spec = this.#engine.callables.describe(fn)
    checkArguments(args)
    const stream = (options as StreamSubmitOptions)[streamSinkOption]
    // (a transfer list: detached when this returns, moved with the call's message or before it is queued)
    const future =
      transfer === undefined || transfer.length === 0
        ? this.#engine.submit(spec, args, false, name, signal, currentTask()?.id, stream)
        : submitMoving(this.#engine, spec, args, name, signal, currentTask()?.id, stream, transfer)
    return future as Future<Awaited<ReturnType<FunctionOf<C>>>>
  }

  /**
   * Runs the generator function `fn(...args)` (`function*` or `async function*`, self-contained
   * or a `task(url, name)` handle) on a worker thread and returns an async iterator of what it
   * yields, in order; the values are structured-cloned on the way. The thread pauses the
   * generator while `highWaterMark` values (default 16) wait for the consumer. `break` (or
   * `return()`, or aborting the options' `signal`) aborts the task's `currentTask().signal` and
   * closes the generator, or cancels the task if it has not started. An error the generator
   * throws, or the thread's death ({@link WorkerExitError}), reaches the consumer after the values
   * before it. The last argument is the options when it is a plain object with only
   * `highWaterMark`, `name`, `signal` and `onProgress` (a listener of the progress the generator
   * reports) keys.
   *
   * @example
   * ```ts
   * const rows = task<typeof import('./rows.js'), 'readRows'>(new URL('./rows.js', import.meta.url), 'readRows')
   * for await (const row of pool.stream(rows, 'data.csv', { highWaterMark: 64 })) {
   *   if (row.last) break // aborts readRows through its signal
   * }
   * ```
   * @throws {RangeError} `highWaterMark` is not an integer >= 1 (and what `submit()` throws).
   * @since 0.1.0
   */
  stream<G extends StreamFunction | Task<StreamFunction>>(
    fn: G,
    ...argsAndOptions: [...Parameters<FunctionOf<G>>] | [...Parameters<FunctionOf<G>>, StreamOptions]
  ): AsyncIterableIterator<Yielded<FunctionOf<G>>> {
    return openPoolStream((options, f, ...args) => this.submitWith(options, f as Callable, ...(args as [])), fn, argsAndOptions)
  }

  /** `map(..., { chunksize })`: one message per chunk, its arguments by column, run in order by one worker. */
  protected override submitColumns(fn: Callable, count: number, columns: MapColumn[]): Future<ArrayLike<unknown>> {
    this.#engine.checkOpen()
    const spec = this.#engine.callables.describe(fn)
    return this.#engine.submit(spec, packCallColumns(count, columns), true, undefined, undefined, currentTask()?.id) as Future<ArrayLike<unknown>>
  }

  /**
   * Stops taking work. With `wait` (default) it resolves when every task has finished and every
   * worker thread has exited; with `cancelFutures` the futures not yet started are cancelled
   * first. With `wait: false` it returns at once; queued work still runs, then the threads exit.
   */
  shutdown(options?: ShutdownOptions): Promise<void> {
    if (options !== undefined && !isOptionsObject(options)) {
      return Promise.reject(new TypeError(`shutdown(): options must be an object like { wait, cancelFutures }, got ${describeValue(options)}`))
    }
    for (const key of Object.keys(options ?? {})) {
      if (key !== 'wait' && key !== 'cancelFutures') {
        return Promise.reject(new TypeError(`shutdown: unknown option "${key}"; the options are "wait", "cancelFutures"`))
      }
    }
    const wait = options?.wait ?? true
    const cancelFutures = options?.cancelFutures ?? false
    this.publishShutdown(wait, cancelFutures)
    this.#engine.shutDown(cancelFutures)
    if (!wait) return Promise.resolve()
    return this.#engine
      .whenDrained()
      .then(() => this.#engine.stopAll())
      .then(async () => {
        // the transport closed each thread's port at its 'exit', and a closed port goes away on
        // the next loop turn: nothing of the pool is left after it.
        await new Promise<void>((resolve) => setImmediate(resolve))
      })
  }

  /** One extra thread beyond `maxWorkers` (deadlock compensation), at most `maxWorkers` extra. */
  protected override lendWorker(): (() => void) | undefined {
    return this.#engine.lend()
  }
}
