/**
 * The error classes both pools share.
 *
 * @module
 */
import { FutureError } from '@x/future/runtime'

/**
 * The exit details of a dead worker.
 * @since 0.1.0
 */
export interface WorkerDeath {
  /** Its exit code, when it exited (`process.exit(3)` gives 3); otherwise `undefined`. */
  readonly exitCode: number | undefined
  /** The signal that ended it, by name (`'SIGKILL'`), when a signal did (processes only). */
  readonly signal: string | undefined
}

/**
 * A worker (a thread or a child process) died while running the task: `process.exit()`, an
 * uncaught exception, a kill, running out of memory. The base class of `@x/thread-pool`'s
 * `WorkerExitError` and `@x/process-pool`'s `ProcessExitError`, so "a worker died" can be caught
 * once for both pools. Only the futures the worker was running fail with it; the pool replaces
 * the worker and keeps serving.
 *
 * @example
 * ```ts
 * try { await future } catch (error) {
 *   if (error instanceof WorkerDiedError) console.log(error.exitCode ?? error.signal)
 * }
 * ```
 * @since 0.1.0
 */
export class WorkerDiedError extends FutureError {
  /** The worker's exit code, when it exited; otherwise `undefined`. */
  readonly exitCode: number | undefined
  /** The signal that ended it, by name, when a signal did; otherwise `undefined`. */
  readonly signal: string | undefined

  constructor(message: string, code: string, death: WorkerDeath, options?: ErrorOptions) {
    super(message, code, options)
    this.exitCode = death.exitCode
    this.signal = death.signal
  }
}

/**
 * A value cannot be sent to (or back from) a worker: structured clone or Node's `advanced`
 * serialization cannot copy it (a symbol, a `WeakMap`, a class instance holding native state,
 * ...). A `TypeError`, like the clone error it wraps (its `cause`). Only the future that owns
 * the value fails; the message names the argument (or says it was the result).
 *
 * @example
 * ```ts
 * try { await pool.submit(fn, Symbol('x')) } catch (error) {
 *   if (error instanceof SerializationError) console.log(error.code, error.cause)
 * }
 * ```
 * @since 0.1.0
 */
export class SerializationError extends TypeError {
  /** A stable identifier: `ERR_SERIALIZATION`, or the pool's own (`ERR_PROCESS_POOL_SERIALIZATION`). */
  readonly code: string

  constructor(message: string, options?: ErrorOptions & { readonly code?: string }) {
    super(message, options)
    this.code = options?.code ?? 'ERR_SERIALIZATION'
    Object.defineProperty(this, 'name', { value: new.target.name, configurable: true, writable: true, enumerable: false })
  }
}
