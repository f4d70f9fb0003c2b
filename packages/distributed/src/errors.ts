/**
 * Error classes of `@x/distributed`. Each extends `@x/future`'s `FutureError` and has a stable
 * `code`, so callers branch on `error.code` instead of matching messages.
 *
 * @module
 */
import { FutureError } from '@x/future'
import { WorkerDiedError } from '@x/pool-kit'
import type { Future } from '@x/future'

/**
 * The worker that was running a task went away (killed, crashed, lost its network) before it
 * reported a result. The task ran at most once; it is not run again unless the executor was made
 * with `retries`. The executor notices within the worker's heartbeat lifetime plus one check
 * interval (about 6 s with the defaults; see the README, "Failure semantics").
 *
 * A `WorkerDiedError` (`@x/pool-kit`'s, the base of the pools' worker-death errors), so "a worker
 * died" is caught once for every backend; `exitCode` and `signal` are `undefined`: a remote
 * worker's end is seen only as its heartbeat stopping.
 *
 * @example
 * ```ts
 * try { await future } catch (error) {
 *   if (error instanceof WorkerLostError) console.log(error.code, error.workerId) // ERR_WORKER_LOST w-...
 * }
 * ```
 *
 * @since 0.1.0
 */
export class WorkerLostError extends WorkerDiedError {
  /** The id of the lost worker (`serve()`'s `id`), or `undefined` when the job never reported a start. */
  readonly workerId: string | undefined

  /**
   * @param message what was lost and why it was noticed
   * @param workerId the lost worker's id
   */
  constructor(message: string, workerId?: string) {
    super(message, 'ERR_WORKER_LOST', { exitCode: undefined, signal: undefined })
    this.workerId = workerId
  }
}

/**
 * A task module lies outside the executor's `root`: workers import modules relative to their own
 * root only, so `submit()` refuses it at once (code `ERR_OUTSIDE_ROOT`). A worker that receives a
 * path escaping its root refuses it the same way (the future fails with this error).
 *
 * @since 0.1.0
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
 *
 * @since 0.1.0
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
 *
 * @since 0.1.0
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

/**
 * The `WorkerLostError` for a job that was lost: its worker's heartbeat expired (`workerId`; the
 * worker that started it, or with `fetched`, the one BullMQ handed it to, which may have started
 * it), or no worker reported starting it and BullMQ dropped it (`gone`) or holds it under an
 * expired lock (`orphaned`). Such a job is never sent again unless `retries` says so: it may have run.
 */
export function lostError(
  future: Future,
  jobId: string,
  attempts: number,
  workerId: string | undefined,
  state: 'queued' | 'gone' | 'orphaned' | undefined,
  fetched = false,
): WorkerLostError {
  const which = `future #${String(future.id)} "${String(future.name)}"`
  const what =
    state === undefined && workerId !== undefined
      ? fetched
        ? `worker ${workerId} was lost after BullMQ handed it the job of ${which} (the task may have started): its heartbeat expired.`
        : `worker ${workerId} was lost while running ${which}: its heartbeat expired.`
      : `the job of ${which} was lost before a worker reported starting it ` +
        (state === 'gone'
          ? `(BullMQ no longer has job ${jobId}: it failed there or was removed).`
          : `(job ${jobId} is active in BullMQ but its lock expired: the worker that fetched it died).`) +
        (workerId === undefined ? '' : ` Worker ${workerId} had fetched it.`)
  const retried = attempts > 0 ? ` after ${String(attempts)} retries` : ' (retries: 0, so it is not run again)'
  return new WorkerLostError(`${what} The task ran at most once${retried}; pass retries to run it again elsewhere.`, workerId)
}
