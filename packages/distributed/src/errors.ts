/**
 * Error classes of `@x/distributed`. Each extends `@x/future`'s `FutureError` and has a stable
 * `code`, so callers branch on `error.code` instead of matching messages.
 *
 * @module
 */
import { FutureError } from '@x/future'

/**
 * The worker that was running a task went away (killed, crashed, lost its network) before it
 * reported a result. The task ran at most once; it is not run again unless the executor was made
 * with `retries`. The executor notices within the worker's heartbeat lifetime plus one check
 * interval (about 6 s with the defaults; see the README, "Failure semantics").
 *
 * `@x/future` has no `WorkerDiedError` base class, so this is a plain `FutureError` subclass.
 *
 * @example
 * ```ts
 * try { await future } catch (error) {
 *   if (error instanceof WorkerLostError) console.log(error.code, error.workerId) // ERR_WORKER_LOST w-...
 * }
 * ```
 */
export class WorkerLostError extends FutureError {
  /** The id of the lost worker (`serve()`'s `id`), or `undefined` when the job never reported a start. */
  readonly workerId: string | undefined

  /**
   * @param message what was lost and why it was noticed
   * @param workerId the lost worker's id
   */
  constructor(message: string, workerId?: string) {
    super(message, 'ERR_WORKER_LOST')
    this.workerId = workerId
  }
}

/**
 * A task module lies outside the executor's `root`: workers import modules relative to their own
 * root only, so `submit()` refuses it at once (code `ERR_OUTSIDE_ROOT`). A worker that receives a
 * path escaping its root refuses it the same way (the future fails with this error).
 */
export class OutsideRootError extends FutureError {
  /**
   * @param message names the module, the root and the fix
   */
  constructor(message: string) {
    super(message, 'ERR_OUTSIDE_ROOT')
  }
}

/**
 * A self-contained function reached a worker that does not run function source (code
 * `ERR_SOURCE_NOT_ALLOWED`). Whoever can write to the queue could otherwise run any code on every
 * worker; start the worker with `--allow-source` (`serve({ allowSource: true })`) on a trusted
 * network, or submit a `task(url, name)` handle to a module under the root instead.
 */
export class SourceNotAllowedError extends FutureError {
  /**
   * @param message names the function and the two fixes
   */
  constructor(message: string) {
    super(message, 'ERR_SOURCE_NOT_ALLOWED')
  }
}

/**
 * Redis could not be reached (code `ERR_REDIS_UNAVAILABLE`): the futures waiting for it fail with
 * this error, `serve()` rejects with it and `x-worker` exits with status 2. The message names the
 * address; the `cause` is the connection error.
 */
export class RedisUnavailableError extends FutureError {
  /**
   * @param message names the address and how to start a Redis
   * @param options the connection error as `cause`
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_REDIS_UNAVAILABLE', options)
  }
}
