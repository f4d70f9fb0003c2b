/**
 * `@x/concurrent`: Python's `concurrent.futures` for Node.js in one import. It re-exports, by
 * name, the public API of `@x/future` (futures, `wait`, `asCompleted`, the `Executor` contract,
 * `AsyncPoolExecutor`, `task()`, `currentTask()`, the errors and the diagnostics channels),
 * `@x/thread-pool`, `@x/process-pool` and `@x/diagnostics`. Every name here is the very same
 * binding as in its home package, so `instanceof` checks and documentation carry over.
 *
 * Left out on purpose: the backend kit of `@x/future` (`describeCallable`, `loadCallable`,
 * `invokeCallable`, `checkArguments`, `serializeError`, `deserializeError`, `isSerializedError`,
 * `withTaskContext`, `newWaitId`) and `@x/future/testing`; people who write an executor import
 * those from `@x/future` directly. `test/exports.test.ts` lists every name and every exclusion.
 *
 * @example
 * ```ts
 * import { ThreadPoolExecutor, asCompleted, task } from '@x/concurrent'
 *
 * await using pool = new ThreadPoolExecutor({ maxWorkers: 4 })
 * const pow = task<typeof import('./tasks.js').pow>(new URL('./tasks.js', import.meta.url), 'pow')
 * console.log(String(await pool.submit(pow, 323n, 1235n)))
 * ```
 *
 * @packageDocumentation
 */

// @x/future: the core (L0)
export { Future, isFuture } from '@x/future'
export type { FutureState, DoneCallback } from '@x/future'
export { wait, asCompleted, FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED } from '@x/future'
export type { ReturnWhen, DoneAndNotDone, WaitOptions, AsCompletedOptions, CompletedFuture } from '@x/future'
export { Executor, AsyncPoolExecutor } from '@x/future'
export type {
  SubmitOptions,
  MapOptions,
  ShutdownOptions,
  ExecutorInfo,
  FunctionOf,
  AsyncPoolExecutorOptions,
  Callable,
} from '@x/future'
export { task, isTask, currentTask } from '@x/future'
export type { Task, TaskContext } from '@x/future'
export { FutureError, CancelledError, TimeoutError, InvalidStateError, BrokenExecutorError } from '@x/future'
export type { FutureErrorCode } from '@x/future'
export { channels, channelNames } from '@x/future'
export type {
  ExecutorCreateEvent,
  ExecutorShutdownEvent,
  FutureSubmitEvent,
  FutureStartEvent,
  FutureFinishEvent,
  FutureCancelEvent,
  WaitStartEvent,
  WaitEndEvent,
  WorkerExitEvent,
} from '@x/future'
