/**
 * `@x/pool-kit/worker`: the worker-side task runtime that the thread pool's worker entry and the
 * process pool's child entry both run: callable loading, the task context (`currentTask()`),
 * `map()` chunks, the initializer, the nested executor, forwarded waits and result batching.
 *
 * @packageDocumentation
 */
export { WorkerRuntime } from './runtime.js'
export type { BeforeStart } from './runtime.js'
export { CallableCache } from './callables.js'
export type { TaskFunction } from './callables.js'
export type { RequireFunction } from './require-first.js'
export { WorkerTaskContext } from './task-context.js'
export { runCall } from './run-call.js'
export { newNestedExecutor } from './nested.js'
export type { NestedExecutor, ProxyFuture, WorkerLink } from './nested.js'
export { ResultBuffer } from './results.js'
export { ProgressSender, PROGRESS_INTERVAL_MS } from './progress.js'
export { StreamPump } from './stream.js'
export { forwardWaits } from './waits.js'
export { monotonicMs } from '../clock.js'
