/**
 * `@x/distributed`: Python's `concurrent.futures` across machines, on BullMQ and Redis.
 * `DistributedExecutor` submits work to a queue; `serve()` (or the `x-worker` command of
 * `@x/concurrent`) runs it on any machine that has the same code under its root. The futures keep
 * the whole contract of `@x/future`: exact `cancel()`, typed values and errors, nested submission,
 * and a bounded time to notice a lost worker.
 *
 * @packageDocumentation
 */
export { DistributedExecutor } from './executor.js'
export type { DistributedExecutorOptions } from './options.js'
export { serve } from './serve.js'
export type { ServeOptions, CloseOptions, DistributedWorker } from './serve.js'
export type { Connection } from './connection.js'
export { WorkerLostError, OutsideRootError, SourceNotAllowedError, RedisUnavailableError } from './errors.js'
