/**
 * `@x/process-pool`: Python's `ProcessPoolExecutor` for Node.js, on child processes started
 * through tinypool's `child_process` runtime.
 *
 * @packageDocumentation
 */
export { ProcessPoolExecutor } from './pool.js'
export type { ProcessPoolExecutorOptions } from './pool.js'
export { BrokenProcessPoolError, ProcessExitError, SerializationError } from './errors.js'
export { WorkerDiedError } from '@x/pool-kit'
