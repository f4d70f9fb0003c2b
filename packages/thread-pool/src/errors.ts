import { BrokenExecutorError, describeValue } from '@x/future'
import { SerializationError, WorkerDiedError } from '@x/pool-kit'
import type { DeathInfo, PoolErrors } from '@x/pool-kit'

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
 * @since 0.1.0
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
 * @since 0.1.0
 */
export class WorkerExitError extends WorkerDiedError {
  constructor(message: string, options?: ErrorOptions & { exitCode?: number | undefined }) {
    const { exitCode, ...errorOptions } = options ?? {}
    super(message, 'ERR_WORKER_EXITED', { exitCode, signal: undefined }, errorOptions)
  }
}

/**
 * The thread pool's errors and words, as the engine needs them (`@x/pool-kit`'s `PoolErrors`).
 * @internal
 */
export const threadErrors: PoolErrors = {
  poolNoun: 'thread pool',
  workerNoun: 'worker thread',
  workersNoun: 'worker threads',
  initializerFailed: 'A thread initializer failed, the thread pool is not usable anymore',
  died: (_future, _name, death) => deathError(death),
  broken: (message, options) => new BrokenThreadPoolError(message, options),
  unsendable: (message, cause) =>
    new SerializationError(`${message} Pass structured-cloneable data (no functions, symbols or class instances with private state).`, { cause }),
  startFailed: (death, failures, failingForMs) =>
    new BrokenThreadPoolError(
      `a worker thread failed to start (${death.crash === undefined ? `exit code ${String(death.exitCode)}` : describeValue(death.crash)}), ` +
        `${String(failures)} times in a row with none starting in between (over ${(failingForMs / 1000).toFixed(1)} s, each retried after a growing delay): ` +
        'the thread pool is not usable anymore',
      death.crash === undefined ? undefined : { cause: death.crash },
    ),
}

/** The error a task fails with when its worker thread died running it. */
function deathError(death: DeathInfo): WorkerExitError {
  const suffix = death.detail === undefined ? '' : `; ${death.detail}`
  const error = death.crash
  if (error !== undefined) {
    const code = (error as { code?: unknown }).code
    if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
      return new WorkerExitError(`the worker thread running this task ran out of memory (its resourceLimits) and was ended${suffix}`, {
        cause: error,
        exitCode: 1,
      })
    }
    return new WorkerExitError(
      `the worker thread running this task died from an uncaught ${describeValue(error)} ` +
        `(thrown outside the task's own promise chain, for example in a timer)${suffix}`,
      { cause: error, exitCode: 1 },
    )
  }
  return new WorkerExitError(
    `the worker thread running this task exited with code ${String(death.exitCode)} before the task finished ` +
      `(process.exit() in the task, or the thread was ended)${suffix}`,
    { exitCode: death.exitCode },
  )
}
