/**
 * `@x/thread-pool`: Python's `ThreadPoolExecutor` for Node.js, on `worker_threads`. Real future states (a queued task is PENDING and cancellable, a started one is
 * RUNNING), `map` with chunks, nested submission from inside tasks, worker-death handling, an
 * abort path with a grace period, and the `@x/future` diagnostics events.
 *
 * @packageDocumentation
 */
export { ThreadPoolExecutor } from './pool.js'
export type { ThreadPoolExecutorOptions } from './pool.js'
export { BrokenThreadPoolError, WorkerExitError } from './errors.js'
export { threadName } from './state.js'
export { WorkerDiedError } from '@x/pool-kit'
