/**
 * Error classes of `@x/future`. Every error this package throws on purpose is one of these (or a
 * built-in `TypeError`/`RangeError` for bad input), and each carries a stable `code` string, so
 * callers can branch on `error.code` instead of matching messages.
 *
 * @module
 */

/** The `code` of every error class defined by `@x/future`. */
export type FutureErrorCode =
  | 'ERR_FUTURE_CANCELLED'
  | 'ERR_FUTURE_TIMEOUT'
  | 'ERR_FUTURE_INVALID_STATE'
  | 'ERR_BROKEN_EXECUTOR'
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
 * Python: `concurrent.futures.CancelledError`.
 */
export class CancelledError extends FutureError {
  constructor(message = '', options?: ErrorOptions) {
    super(message, 'ERR_FUTURE_CANCELLED', options)
  }
}

/**
 * A wait ran out of time: `result(timeout)`, `exception(timeout)`, `asCompleted` and `map` with a
 * `timeout` reject with it. The task itself is not touched. Python: `TimeoutError`.
 */
export class TimeoutError extends FutureError {
  constructor(message = '', options?: ErrorOptions) {
    super(message, 'ERR_FUTURE_TIMEOUT', options)
  }
}

/**
 * An operation is not allowed in the future's current state, such as `setResult()` on a future
 * that is already done. The message starts with the state, e.g. `FINISHED: <Future #3 ...>`.
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
 */
export class BrokenExecutorError extends FutureError {
  constructor(message: string, options?: ErrorOptions & { code?: FutureErrorCode }) {
    super(message, options?.code ?? 'ERR_BROKEN_EXECUTOR', options)
  }
}

/** Formats any thrown value for a message: `RangeError: boom`, `42`, `undefined`. */
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
