import { BrokenExecutorError } from '@x/future'
import { WorkerDiedError } from '@x/pool-kit'

/**
 * The thread pool cannot run work any more: a worker's `initializer` threw. Queued futures fail
 * with it, and later `submit()` calls throw it (even after `shutdown()`). The initializer's error
 * is its `cause`. Python: `concurrent.futures.thread.BrokenThreadPool`.
 *
 * @example
 * ```ts
 * try { await pool.submit(work) } catch (error) {
 *   if (error instanceof BrokenThreadPoolError) console.error('initializer failed:', error.cause)
 * }
 * ```
 */
export class BrokenThreadPoolError extends BrokenExecutorError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, { ...options, code: 'ERR_BROKEN_THREAD_POOL' })
  }
}

/**
 * The worker thread running the task died before the task finished: `process.exit()` inside a
 * task, an uncaught error (for example thrown in a timer), running out of `resourceLimits`
 * memory, or the pool ending it after an abort grace period. It is never the task's own error:
 * `exitCode` holds the thread's exit code when it exited, and `cause` the uncaught error when
 * there was one. The pool replaces the worker and keeps serving. A `WorkerDiedError` (from
 * `@x/pool-kit`, re-exported here), as the process pool's `ProcessExitError` is: catch that to
 * handle "a worker died" for both pools.
 *
 * @example
 * ```ts
 * try { await pool.submit(task(url, 'crashy')) } catch (error) {
 *   if (error instanceof WorkerExitError) console.log('worker died, exit code', error.exitCode)
 * }
 * ```
 */
export class WorkerExitError extends WorkerDiedError {
  constructor(message: string, options?: ErrorOptions & { exitCode?: number | undefined }) {
    const { exitCode, ...errorOptions } = options ?? {}
    super(message, 'ERR_WORKER_EXITED', { exitCode, signal: undefined }, errorOptions)
  }
}
