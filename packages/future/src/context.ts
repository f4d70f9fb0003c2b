import { CURRENT_TASK_GLOBAL, loadClassesInThread } from './class-registry.js'
import type { Executor } from './executor.js'
import { hooksOffBetweenTasks as offBetweenTasks, runWithStoredTask, storedTask } from './task-storage.js'

/**
 * What a running task knows about itself; returned by {@link currentTask}.
 *
 * @since 0.1.0
 */
export interface TaskContext {
  /** The id of the task's future (in the process that owns the executor). */
  readonly id: number
  /** The task's name (`submitWith({ name })`, else the function's or export's name). */
  readonly name: string | undefined
  /**
   * Aborts when the task should stop: its `submitWith({ signal })` signal aborted while it was
   * running. A task that can stop early should listen to it.
   */
  readonly signal: AbortSignal
  /** Submits more work to the same executor (nested work), from wherever the task runs. */
  readonly executor: Executor
  /**
   * Reports progress to the submitter's `future.onProgress()` listeners: cheap to call often
   * (reports are coalesced, the latest value wins), ignored once the task has ended. Present on
   * `AsyncPoolExecutor`'s tasks (the value is passed as it is), on the pools that run on
   * `@x/pool-kit`'s engine (the value is structured-cloned, at most one message per task every
   * 10 ms, the last report before the result) and on `@x/distributed`'s workers (v8-serialized,
   * at most one Redis write per task every 50 ms, the last before the result). Call it as
   * `currentTask()?.progress?.(value)` where the backend may not have it.
   */
  readonly progress?: ((value: unknown) => void) | undefined
}

/**
 * The task that is running in the current async context, on any executor; `undefined` outside
 * a task.
 *
 * @example
 * ```ts
 * const ex = new AsyncPoolExecutor({ maxWorkers: 4 })
 * const f = ex.submit(async () => {
 *   const task = currentTask()!
 *   const child = task.executor.submit(async (n: number) => n * 2, 21) // nested work
 *   return await child                                                   // 42
 * })
 * ```
 *
 * @since 0.1.0
 */
export function currentTask(): TaskContext | undefined {
  // Only withTaskContext() stores contexts, and it stores TaskContexts.
  return storedTask() as TaskContext | undefined
}

// Self-contained functions sent to a worker as source cannot always import this package (a test
// runner may rewrite their import() calls); they can reach currentTask() through this global.
// (calling it in a worker thread that lacks `@x/future`'s Executor and Future starts loading them,
// for `.executor`: see class-registry.ts)
;(globalThis as Record<symbol, unknown>)[Symbol.for(CURRENT_TASK_GLOBAL)] = (): TaskContext | undefined => {
  loadClassesInThread()
  return currentTask()
}

/**
 * Runs `fn` with `context` as the {@link currentTask} (and everything it starts asynchronously).
 * For backend authors: call it around each task you run.
 *
 * @since 0.1.0
 */
export function withTaskContext<R>(context: TaskContext, fn: () => R): R {
  return runWithStoredTask(context, fn)
}

/**
 * For hosts of tasks whose own thread makes many promises between tasks (a queue worker, whose
 * client library makes dozens per job): lets this thread turn off the async hooks behind
 * {@link currentTask} between tasks, while every task run so far ran synchronously and started
 * nothing asynchronous (no promise, timer, tick or I/O; no thenable result): such a task leaves
 * nothing that could read its context later. Once a task starts something asynchronous, the
 * hooks stay on for good, as without this call; so do they when tasks ran in this thread before
 * the call (nothing checked what they started: call it first). `currentTask()` reads the same
 * either way; each task costs a little more (two async-id probes, the hooks turned on and off),
 * every other promise of the thread less. `x-worker --backend async` (`@x/concurrent`) calls it
 * before it makes its `AsyncPoolExecutor`.
 *
 * @since 0.2.0
 */
export function hooksOffBetweenTasks(): void {
  offBetweenTasks()
}
