/**
 * Error classes of `@x/process-pool`.
 *
 * @module
 */
import { BrokenExecutorError } from '@x/future'
import { SerializationError as PoolSerializationError, WorkerDiedError } from '@x/pool-kit'

/**
 * The process pool cannot run work any more: a child's `initializer` failed, or a child process
 * died while starting. Queued and running futures fail with it and later `submit()` calls throw
 * it (even after `shutdown()`). Python: `concurrent.futures.process.BrokenProcessPool`.
 *
 * A child that dies while running a task does **not** break the pool (unlike Python): that
 * task's future fails with a {@link ProcessExitError} and the pool replaces the child.
 *
 * @example
 * ```ts
 * try { await future } catch (error) {
 *   if (error instanceof BrokenProcessPoolError) console.error('pool is unusable:', error.cause)
 * }
 * ```
 *
 * @since 0.1.0
 */
export class BrokenProcessPoolError extends BrokenExecutorError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, { ...options, code: 'ERR_BROKEN_PROCESS_POOL' })
  }
}

/**
 * The child process running a task died before the task finished: it called `process.exit()`,
 * was killed by a signal (`SIGKILL`, `SIGTERM` from `terminateWorkers()`, ...), aborted
 * (`process.abort()`, a fatal V8 error such as running out of memory) or crashed. Only the futures
 * that child was running fail with it; the tasks sent ahead to it that had not started run on
 * another child, and the pool starts a new child and keeps serving. A `WorkerDiedError` (from
 * `@x/pool-kit`, re-exported here), as the thread pool's `WorkerExitError` is.
 *
 * @example
 * ```ts
 * try { await pool.submit(task(url, 'mayCrash')) } catch (error) {
 *   if (error instanceof ProcessExitError) console.log(error.exitCode ?? error.signal) // 3, or 'SIGKILL'
 * }
 * ```
 *
 * @since 0.1.0
 */
export class ProcessExitError extends WorkerDiedError {
  /** The child's process id. */
  readonly pid: number | undefined

  constructor(
    message: string,
    details: { exitCode: number | undefined; signal: string | undefined; pid: number | undefined },
    options?: ErrorOptions,
  ) {
    super(message, 'ERR_PROCESS_EXITED', details, options)
    this.pid = details.pid
  }
}

/**
 * A value could not be sent between the parent and a child process (Node's `advanced`
 * serialization cannot copy it: a symbol, a `WeakMap`, a class instance holding native state,
 * ...). Only the future that owns the value fails; the message names the argument (or says it was
 * the result) and its `cause` is the serializer's own error. The process pool's form of
 * `@x/pool-kit`'s `SerializationError` (a `TypeError`), with its own code.
 *
 * @since 0.1.0
 */
export class SerializationError extends PoolSerializationError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, { ...options, code: 'ERR_PROCESS_POOL_SERIALIZATION' })
  }
}
