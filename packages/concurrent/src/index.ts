/**
 * `@x/concurrent`: Python's `concurrent.futures` for Node.js in one import. It re-exports, by
 * name, the public API of `@x/future` (futures, `wait`, `asCompleted`, the `Executor` contract,
 * `AsyncPoolExecutor`, `task()`, `currentTask()`, the errors and the diagnostics channels),
 * `@x/thread-pool`, `@x/process-pool`, `@x/distributed` and `@x/diagnostics`. Its bin, `x-worker`, serves a
 * `DistributedExecutor`'s queue on any machine. Every name here is the very same
 * binding as in its home package, so `instanceof` checks and documentation carry over.
 *
 * Left out on purpose: the backend kit of `@x/future` (`describeCallable`, `loadCallable`,
 * `invokeCallable`, `explainCallError`, `checkArguments`, `serializeError`, `deserializeError`, `isSerializedError`,
 * `describeValue`, `withTaskContext`, `hooksOffBetweenTasks`, `newWaitId`, `reportProgress`, `streamArguments`, the `CancelHook` type of `new Future({ cancelHook })`, the `ExecutorInfo` type of the protected `Executor` constructor)
 * and `@x/future/testing`; people who write an executor import those from `@x/future` directly.
 * (`ExecutorInfo` here is `@x/diagnostics`' type: an executor as a deadlock report shows it.) `test/exports.test.ts` lists every name and every exclusion.
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
  SubmitArgs,
  ArgumentsOrFutures,
  MapOptions,
  ShutdownOptions,
  FunctionOf,
  AsyncPoolExecutorOptions,
  Yielded,
  StreamOptions,
  StreamFunction,
  ProgressListener,
  Callable,
  ExecutorStats,
  TimeStats,
} from '@x/future'
export { task, isTask, currentTask } from '@x/future'
export type { Task, TaskName, TaskContext } from '@x/future'
export {
  FutureError,
  CancelledError,
  TimeoutError,
  InvalidStateError,
  BrokenExecutorError,
  ShutdownError,
  QueueFullError,
  DependencyError,
} from '@x/future'
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
  DependencyStartEvent,
  DependencyEndEvent,
} from '@x/future'

// @x/diagnostics: the deadlock detector (L1)
export { detectDeadlocks, deadlockChannel, DeadlockError, isDeadlockError, formatReport, formatSnapshot } from '@x/diagnostics'
export type {
  DeadlockDetector,
  DetectDeadlocksOptions,
  GraphSnapshot,
  OnDeadlock,
  GraphFormat,
  DeadlockAction,
  DeadlockKind,
  DeadlockReport,
  EdgeInfo,
  ExecutorInfo,
  GraphInfo,
  NodeRole,
  SlotInfo,
  SnapshotInfo,
  TaskInfo,
  WaitInfo,
} from '@x/diagnostics'

// @x/thread-pool: ThreadPoolExecutor (L2)
export { ThreadPoolExecutor, BrokenThreadPoolError, WorkerExitError, WorkerDiedError, threadName } from '@x/thread-pool'
export type { ThreadPoolExecutorOptions } from '@x/thread-pool'

// @x/process-pool: ProcessPoolExecutor (L2)
export { ProcessPoolExecutor, BrokenProcessPoolError, ProcessExitError, SerializationError } from '@x/process-pool'
export type { ProcessPoolExecutorOptions } from '@x/process-pool'

// @x/distributed: DistributedExecutor and serve() on BullMQ/Redis (L2); x-worker is this package's bin
export { DistributedExecutor, serve, WorkerLostError, OutsideRootError, SourceNotAllowedError, RedisUnavailableError } from '@x/distributed'
export type { DistributedExecutorOptions, ServeOptions, CloseOptions, DistributedWorker, Connection } from '@x/distributed'
