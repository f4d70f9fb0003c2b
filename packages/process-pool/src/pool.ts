/**
 * `ProcessPoolExecutor`: the public class. It checks its arguments and hands the work to
 * `@x/pool-kit`'s engine over the child-process transport (tinypool-processes.ts); the child
 * side is child.ts.
 *
 * @module
 */
import { availableParallelism } from 'node:os'
import { channels, checkArguments, currentTask, Executor } from '@x/future'
import type { Callable, FunctionOf, MapColumn, Future, ShutdownOptions, StreamFunction, StreamOptions, SubmitArgs, SubmitOptions, Task, Yielded } from '@x/future'
import { checkWorkerLifecycle, describeExit, openPoolStream, packCallColumns, PoolEngine, streamSinkOption } from '@x/pool-kit'
import type { PoolErrors, StreamSubmitOptions } from '@x/pool-kit'
import { BrokenProcessPoolError, ProcessExitError, SerializationError } from './errors.js'
import { parseOptions } from './options.js'
import type { ProcessPoolExecutorOptions } from './options.js'
import { processTransport } from './tinypool-processes.js'
import type { ChildHandle } from './tinypool-processes.js'

export type { ProcessPoolExecutorOptions } from './options.js'

const errors: PoolErrors = {
  poolNoun: 'process pool',
  workerNoun: 'child process',
  workersNoun: 'child processes',
  initializerFailed: 'A process initializer failed, the process pool is not usable anymore',
  died: (_future, name, death) =>
    new ProcessExitError(
      `A process in the process pool was terminated abruptly while the future was running: ` +
        `the child process ${death.pid === undefined ? '' : `(pid ${String(death.pid)}) `}running ` +
        `"${name}" ${describeExit(death.exitCode, death.signal)}` +
        (death.crash === undefined ? '' : ` after an uncaught exception: ${describeError(death.crash)}`),
      { exitCode: death.exitCode, signal: death.signal, pid: death.pid },
      death.crash === undefined ? undefined : { cause: death.crash },
    ),
  broken: (message, options) => new BrokenProcessPoolError(message, options),
  unsendable: (message, cause) =>
    new SerializationError(
      `${message} Pass data that Node's advanced serialization can copy (primitives, BigInt, plain objects, ` +
        `arrays, Map, Set, Date, RegExp, typed arrays, errors).`,
      { cause },
    ),
}

/**
 * Python's `ProcessPoolExecutor` for Node.js: runs calls in child processes. Functions travel as
 * a `task(url, name)` handle (the child imports the module) or as the source of a self-contained
 * function; arguments and results cross with Node's `advanced` serialization (structured clone),
 * so `BigInt`, `Map`, `Set`, `Date`, typed arrays and errors survive.
 *
 * - Children start on demand (at most `maxWorkers`), are reused, and inherit `process.env`.
 * - A child that dies fails only the futures it was running ({@link ProcessExitError}, naming the
 *   exit code or signal); the pool starts another and keeps serving.
 * - Inside a task, `currentTask().executor` submits to this same pool (through the parent).
 * - `submitWith({ signal })` aborts a running task's `currentTask().signal`; a task that has not
 *   stopped `abortGracePeriod` ms later loses its child, and its future rejects with the reason.
 * - An idle pool never keeps the process alive; `shutdown()` ends every child.
 *
 * @example
 * ```ts
 * import { task } from '@x/future'
 * import { ProcessPoolExecutor } from '@x/process-pool'
 *
 * await using pool = new ProcessPoolExecutor({ maxWorkers: 4 })
 * const big = await pool.submit((a: bigint, b: bigint) => a ** b, 323n, 1235n)
 * const primes = task<typeof import('./primes.js').isPrime>(new URL('./primes.js', import.meta.url), 'isPrime')
 * for await (const p of pool.map(primes, candidates, { chunksize: 1000 })) console.log(p)
 * ```
 *
 * @since 0.1.0
 */
export class ProcessPoolExecutor extends Executor {
  readonly #engine: PoolEngine<ChildHandle>

  /**
   * @param options see {@link ProcessPoolExecutorOptions}; every option is optional.
   * @throws TypeError when `options` is not an object, has an unknown key, or an option has the
   *   wrong type (`maxWorkers` not an integer, `initializer` not a callable, `execArgv` not an
   *   array of strings, `env` not an object of strings, ...). The message names the option.
   * @throws RangeError when a number is out of range (`maxWorkers` not above 0, `minWorkers` above
   *   `maxWorkers`, `maxTasksPerChild` below 1, a negative `idleTimeout`/`abortGracePeriod`).
   */
  constructor(options?: ProcessPoolExecutorOptions) {
    const o = parseOptions(options)
    const maxWorkers = o.maxWorkers ?? availableParallelism()
    const lifecycle = checkWorkerLifecycle('ProcessPoolExecutor', o, maxWorkers)
    super({ kind: 'process', maxWorkers, name: o.name, maxQueue: o.maxQueue })
    const label = this.label
    const transport = processTransport({
      env: o.env,
      execArgv: o.execArgv,
      session: (workerId, marker) => ({
        label,
        maxWorkers,
        workerId,
        diag: channels.waitStart.hasSubscribers,
        initializer: o.initializer,
        marker,
      }),
    })
    this.#engine = new PoolEngine(
      {
        executorId: this.id,
        maxWorkers,
        minWorkers: lifecycle.minWorkers,
        maxTasksPerWorker: lifecycle.maxTasksPerWorker === Infinity ? undefined : lifecycle.maxTasksPerWorker,
        idleTimeout: o.idleTimeout,
        abortGracePeriod: o.abortGracePeriod,
        trackNested: (future) => {
          this.trackCall(future)
        },
      },
      transport,
      errors,
      o.initializer,
    )
    this.#engine.ensureMinWorkers()
  }

  /** The process ids of the children alive now, starting ones included (for tests and monitoring). */
  get pids(): number[] {
    return this.#engine.pids()
  }

  /**
   * Runs `fn(...args)` in a child process (see {@link Executor.submitWith}).
   *
   * @throws ShutdownError (`@x/future`) after `shutdown()`; {@link BrokenProcessPoolError} once
   *   the pool is broken (an initializer failed).
   * @throws QueueFullError (`@x/future`) when `maxQueue` calls already wait; nothing is queued.
   * @throws TypeError when `options` is not an object or has an unknown key or a wrong type, `fn`
   *   cannot travel to a child (see `describeCallable`), or an argument is or contains a `Future`,
   *   an `Executor` or a function.
   */
  submitWith<C extends Callable>(
    options: SubmitOptions,
    fn: C,
    ...args: SubmitArgs<C>
  ): Future<Awaited<ReturnType<FunctionOf<C>>>> {
    if (typeof (options as unknown) !== 'object' || (options as unknown) === null) throw new TypeError('submitWith(): options must be an object')
    for (const key of Object.keys(options)) {
      if (key !== 'name' && key !== 'signal' && key !== 'transfer') {
        throw new TypeError(`submitWith(): unknown option "${key}"; the options are "name", "signal", "transfer"`)
      }
    }
    const { name, signal } = options
    if (name !== undefined && typeof name !== 'string') throw new TypeError('submitWith(): name must be a string')
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new TypeError('submitWith(): signal must be an AbortSignal')
    }
    this.#engine.checkOpen()
    const spec = this.#engine.callables.describe(fn)
    checkArguments(args)
    const stream = (options as StreamSubmitOptions)[streamSinkOption]
    return this.#engine.submit(spec, args, false, name, signal, currentTask()?.id, stream) as Future<
      Awaited<ReturnType<FunctionOf<C>>>
    >
  }

  /**
   * Runs the generator function `fn(...args)` (`function*` or `async function*`, self-contained
   * or a `task(url, name)` handle) in a child and returns an async iterator of what it yields,
   * in order; the values are structured-cloned on the way. The child pauses the generator while
   * `highWaterMark` values (default 16) wait for the consumer. `break` (or `return()`, or
   * aborting the options' `signal`) aborts the task's `currentTask().signal` and closes the
   * generator, or cancels the task if it has not started. An error the generator throws, or the
   * child's death ({@link ProcessExitError}), reaches the consumer after the values before it.
   * The last argument is the options when it is a plain object with only `highWaterMark`,
   * `name`, `signal` and `onProgress` (a listener of the progress the generator reports) keys.
   *
   * @example
   * ```ts
   * const rows = task<typeof import('./rows.js'), 'readRows'>(new URL('./rows.js', import.meta.url), 'readRows')
   * for await (const row of pool.stream(rows, 'data.csv', { highWaterMark: 64 })) {
   *   if (row.last) break // aborts readRows through its signal
   * }
   * ```
   * @throws {RangeError} `highWaterMark` is not an integer >= 1 (and what `submit()` throws).
   */
  stream<G extends StreamFunction | Task<StreamFunction>>(
    fn: G,
    ...argsAndOptions: [...Parameters<FunctionOf<G>>] | [...Parameters<FunctionOf<G>>, StreamOptions]
  ): AsyncIterableIterator<Yielded<FunctionOf<G>>> {
    return openPoolStream((options, f, ...args) => this.submitWith(options, f as Callable, ...(args as [])), fn, argsAndOptions)
  }

  /** One message per `map()` chunk, its arguments by column: the child runs the calls in order and sends back their results together. */
  protected override submitColumns(fn: Callable, count: number, columns: MapColumn[]): Future<ArrayLike<unknown>> {
    this.#engine.checkOpen()
    const spec = this.#engine.callables.describe(fn)
    return this.#engine.submit(spec, packCallColumns(count, columns), true, undefined, undefined, currentTask()?.id) as Future<ArrayLike<unknown>>
  }

  /**
   * Stops taking new work. With `wait` (default) it resolves once every task is done and every
   * child process has exited; `cancelFutures` cancels the queued (PENDING) futures first. With
   * `wait: false` it returns at once and the children exit by themselves when the work is done.
   */
  shutdown(options?: ShutdownOptions): Promise<void> {
    const raw: unknown = options
    if (raw !== undefined && (typeof raw !== 'object' || raw === null)) {
      return Promise.reject(new TypeError('shutdown(): options must be an object like { wait: true }'))
    }
    for (const key of Object.keys(options ?? {})) {
      if (key !== 'wait' && key !== 'cancelFutures') {
        return Promise.reject(new TypeError(`shutdown(): unknown option "${key}"; the options are "wait", "cancelFutures"`))
      }
    }
    const wait = options?.wait ?? true
    const cancelFutures = options?.cancelFutures ?? false
    this.publishShutdown(wait, cancelFutures)
    this.#engine.shutDown(cancelFutures)
    if (!wait) return Promise.resolve()
    return this.#engine.whenDrained().then(() => this.#engine.stopAll())
  }

  /**
   * Python 3.14's `terminate_workers()`: shuts the pool down (cancelling queued futures) and
   * sends `SIGTERM` to every child at once. Running futures fail with {@link ProcessExitError}
   * naming the signal. Resolves when every child has exited; later `submit()` throws.
   */
  terminateWorkers(): Promise<void> {
    return this.#force('SIGTERM')
  }

  /** Like {@link ProcessPoolExecutor.terminateWorkers}, with `SIGKILL` (Python 3.14's `kill_workers()`). */
  killWorkers(): Promise<void> {
    return this.#force('SIGKILL')
  }

  /** One extra child beyond `maxWorkers` (deadlock compensation), at most `maxWorkers` extra. */
  protected override lendWorker(): (() => void) | undefined {
    return this.#engine.lend()
  }

  #force(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    if (!this.#engine.shutdown) this.publishShutdown(false, true)
    return this.#engine.force(signal)
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}
