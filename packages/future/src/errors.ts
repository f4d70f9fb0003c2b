/**
 * Error classes of `@x/future`. Every error this package throws on purpose is one of these (or a
 * built-in `TypeError`/`RangeError` for bad input), and each carries a stable `code` string, so
 * callers can branch on `error.code` instead of matching messages.
 *
 * @module
 */

/**
 * The `code` of every error class defined by `@x/future`.
 *
 * @since 0.1.0
 */
export type FutureErrorCode =
  | 'ERR_FUTURE_CANCELLED'
  | 'ERR_FUTURE_TIMEOUT'
  | 'ERR_FUTURE_INVALID_STATE'
  | 'ERR_BROKEN_EXECUTOR'
  | 'ERR_EXECUTOR_SHUTDOWN'
  | 'ERR_QUEUE_FULL'
  | 'ERR_DEPENDENCY_FAILED'
  | (string & {})

/**
 * Base class of the errors defined by `@x/future` and the packages built on it.
 *
 * @example
 * ```ts
 * try { await future } catch (error) {
 *   if (error instanceof FutureError && error.code === 'ERR_FUTURE_CANCELLED') { ... }
 * }
 * ```
 *
 * @since 0.1.0
 */
export class FutureError extends Error {
  /** A stable, machine-readable identifier of the error. */
  readonly code: FutureErrorCode

  constructor(message: string, code: FutureErrorCode, options?: ErrorOptions) {
    super(message, options)
    this.code = code
    // `name` follows the concrete class (CancelledError, BrokenThreadPoolError, ...), stays
    // writable like Error's own, and is not enumerable so it does not show up as a property.
    Object.defineProperty(this, 'name', {
      value: new.target.name,
      configurable: true,
      writable: true,
      enumerable: false,
    })
  }
}

/**
 * The future was cancelled: `result()` and `exception()` of a cancelled future reject with it.
 * The message names the future (`future #3 "resize" was cancelled before it started`).
 * Python: `concurrent.futures.CancelledError`.
 *
 * @since 0.1.0
 */
export class CancelledError extends FutureError {
  constructor(message = 'the future was cancelled before it started', options?: ErrorOptions) {
    super(message, 'ERR_FUTURE_CANCELLED', options)
  }
}

/**
 * A wait ran out of time: `result(timeout)`, `exception(timeout)`, `asCompleted` and `map` with a
 * `timeout` reject with it. The task itself is not touched. The message says which future was not
 * done after how long (`future #3 "resize" was not done after 1000 ms (...)`). Python: `TimeoutError`.
 *
 * Not to be confused with the `TimeoutError` of `AbortSignal.timeout(ms)`: a signal made that way
 * aborts with a `DOMException` whose `name` is `'TimeoutError'` (no `code` of ours, not an
 * instance of this class). A task that passes `currentTask().signal` or such a signal to
 * `fetch()` rejects with that `DOMException`, which reaches `result()` as the task's own error.
 * Tell them apart with `error instanceof TimeoutError` (ours) or
 * `error instanceof DOMException && error.name === 'TimeoutError'` (the signal's).
 *
 * @example
 * ```ts
 * try {
 *   await future.result(1000)
 * } catch (error) {
 *   if (error instanceof TimeoutError) console.log('still running after 1 s') // our wait timed out; the task goes on
 *   else if (error instanceof DOMException && error.name === 'TimeoutError') console.log('the task gave up') // AbortSignal.timeout() inside it
 *   else throw error
 * }
 * ```
 *
 * @since 0.1.0
 */
export class TimeoutError extends FutureError {
  constructor(message = 'the wait timed out (the task itself goes on)', options?: ErrorOptions) {
    super(message, 'ERR_FUTURE_TIMEOUT', options)
  }
}

/**
 * An operation is not allowed in the future's current state, such as `setResult()` on a future
 * that is already done. The message starts with the state, e.g. `FINISHED: <Future #3 ...>`.
 *
 * @since 0.1.0
 */
export class InvalidStateError extends FutureError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_FUTURE_INVALID_STATE', options)
  }
}

/**
 * The executor can no longer run work (for example a worker initializer failed). Queued futures
 * fail with it and later `submit()` calls throw it. Pools subclass it
 * (`BrokenThreadPoolError`, `BrokenProcessPoolError`). Python: `BrokenExecutor`.
 *
 * @since 0.1.0
 */
export class BrokenExecutorError extends FutureError {
  constructor(message: string, options?: ErrorOptions & { code?: FutureErrorCode }) {
    super(message, options?.code ?? 'ERR_BROKEN_EXECUTOR', options)
  }
}

/**
 * `submit()` (or `map()`, `submitWith()`) was called after `shutdown()`. Every executor throws it,
 * with Python's message, `cannot schedule new futures after shutdown`. A broken executor throws
 * its `BrokenExecutorError` instead, even after `shutdown()`.
 *
 * @example
 * ```ts
 * await executor.shutdown()
 * try {
 *   executor.submit(work)
 * } catch (error) {
 *   if (error instanceof ShutdownError) console.log(error.code) // ERR_EXECUTOR_SHUTDOWN
 * }
 * ```
 *
 * @since 0.1.0
 */
export class ShutdownError extends FutureError {
  constructor(message = 'cannot schedule new futures after shutdown', options?: ErrorOptions) {
    super(message, 'ERR_EXECUTOR_SHUTDOWN', options)
  }
}

/**
 * `submit()` found the executor's queue full: `maxQueue` calls were already waiting for a worker
 * (besides the `maxWorkers` running). Nothing was queued. Wait for room with
 * `await executor.onRoom()` and submit again, or use `map(..., { buffersize })`, which waits by
 * itself.
 *
 * @example
 * ```ts
 * const ex = new AsyncPoolExecutor({ maxWorkers: 2, maxQueue: 100 })
 * for (const job of jobs) {
 *   await ex.onRoom() // at once while there is room; else when a call finishes
 *   ex.submit(work, job)
 * }
 * ```
 *
 * @since 0.1.0
 */
export class QueueFullError extends FutureError {
  /** The executor's `maxQueue`. */
  readonly maxQueue: number

  constructor(message: string, maxQueue: number, options?: ErrorOptions) {
    super(message, 'ERR_QUEUE_FULL', options)
    this.maxQueue = maxQueue
  }
}

/**
 * A future passed as an argument (a dependency) failed or was cancelled, so the call that needed
 * its value never ran. `cause` is the dependency's error (a `CancelledError` when it was
 * cancelled); `dependency` is that future.
 *
 * @example
 * ```ts
 * const a = ex.submit(load, 'x.csv')
 * const b = ex.submit(parse, a) // waits for a, then runs parse(valueOfA)
 * try { await b } catch (error) {
 *   if (error instanceof DependencyError) console.log('load failed:', error.cause)
 * }
 * ```
 *
 * @since 0.1.0
 */
export class DependencyError extends FutureError {
  /** The id of the dependency that failed or was cancelled. */
  readonly dependencyId: number

  constructor(message: string, dependencyId: number, options?: ErrorOptions) {
    super(message, 'ERR_DEPENDENCY_FAILED', options)
    this.dependencyId = dependencyId
  }
}

/**
 * Formats any value for an error message, briefly: an error as `RangeError: boom`, a string
 * quoted, a bigint as `12n`, a function as `function name`, an object as JSON cut to 60
 * characters (or `[object Foo]` when it is not JSON). Backends use it to say what they got
 * (`maxWorkers must be an integer, got "4"`), so every package words bad input the same way.
 *
 * @example
 * ```ts
 * describeValue('4')                // '"4"'
 * describeValue(new RangeError('x')) // 'RangeError: x'
 * describeValue({ a: 1 })           // '{"a":1}'
 * ```
 *
 * @since 0.1.0
 */
export function describeValue(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'bigint') return `${String(value)}n`
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`
  if (typeof value === 'symbol') return value.toString()
  if (value === null || typeof value !== 'object') return String(value)
  try {
    const json = JSON.stringify(value)
    return json.length > 60 ? `${json.slice(0, 57)}...` : json
  } catch {
    return Object.prototype.toString.call(value)
  }
}
