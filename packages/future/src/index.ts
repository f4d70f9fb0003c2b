/**
 * `@x/future`: Python's `concurrent.futures` for TypeScript. Futures with real states, `wait`,
 * `asCompleted`, the `Executor` contract with `map`, an in-thread executor, task handles, and the
 * diagnostics events and backend kit that pools build on.
 *
 * @packageDocumentation
 */
// (not exported here: imported so that the bundle puts it in the runtime's core file, which this
// entry shares with `@x/future/runtime`, and a pool's thread loads that one file; scripts/bundle.mjs --core)
import './executor-classes.js'
export { Future } from './future.js'
export { isFuture } from './is-future.js'
export type { DoneCallback } from './future.js'
export type { CancelHook } from './future-hooks.js'
export type { FutureState } from './future-state.js'
export { wait, asCompleted, FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED } from './wait.js'
export type { ReturnWhen, DoneAndNotDone, WaitOptions, AsCompletedOptions, CompletedFuture } from './wait.js'
export { Executor } from './executor.js'
export type { MapOptions } from './executor.js'
export type { MapColumn } from './map-column.js'
export type { SubmitOptions, SubmitArgs, ArgumentsOrFutures, ShutdownOptions, ExecutorInfo, FunctionOf } from './executor-types.js'
export type { ExecutorStats, TimeStats } from './stats.js'
export { AsyncPoolExecutor } from './async-pool.js'
export type { AsyncPoolExecutorOptions, Yielded } from './async-pool.js'
export { streamArguments } from './stream.js'
export type { StreamOptions, StreamFunction } from './stream.js'
export { reportProgress } from './report-progress.js'
export type { ProgressListener } from './progress.js'
export { task, isTask } from './task.js'
export type { Task, TaskName } from './task.js'
export { currentTask, hooksOffBetweenTasks, withTaskContext } from './context.js'
export type { TaskContext } from './context.js'
export {
  FutureError,
  CancelledError,
  TimeoutError,
  InvalidStateError,
  BrokenExecutorError,
  ShutdownError,
  QueueFullError,
  DependencyError,
} from './errors.js'
export type { FutureErrorCode } from './errors.js'
export { channels } from './channels.js'
export { channelNames } from './diagnostics.js'
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
} from './diagnostics.js'
export { newWaitId } from './ids.js'
export { describeCallable, loadCallable, invokeCallable, explainCallError, checkArguments } from './callable.js'
export type { Callable, CallableSpec } from './callable.js'
export { serializeError, deserializeError, isSerializedError } from './serialize-error.js'
export { describeValue } from './errors.js'
export type { SerializedError } from './serialize-error.js'
