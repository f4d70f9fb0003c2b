/**
 * The types of the {@link Executor} contract: what `submit()`/`submitWith()` take (the callable's
 * function type, its arguments or futures of them, the options), `shutdown()`'s options, and what
 * a backend tells the base class about itself.
 *
 * @module
 */
import type { Transferable } from 'node:worker_threads'
import type { Future } from './future.js'
import type { Task } from './task.js'

/**
 * The function type behind a callable: a function, or the function a {@link Task} names.
 *
 * @since 0.1.0
 */
export type FunctionOf<C> = C extends Task<infer F> ? F : C extends (...args: any[]) => unknown ? C : never

/**
 * Options of {@link Executor.submitWith}.
 *
 * @since 0.1.0
 */
export interface SubmitOptions {
  /** A label for the future, shown in `toString()` and diagnostics. */
  name?: string | undefined
  /**
   * Aborting it while the future is PENDING cancels the future; while the task runs, the task
   * sees `currentTask().signal` abort (a pool may end the worker if the task does not stop).
   */
  signal?: AbortSignal | undefined
  /** Objects to transfer (move) to the worker instead of copying (thread pools). */
  transfer?: readonly Transferable[] | undefined
}

/**
 * Options of {@link Executor.shutdown}.
 *
 * @since 0.1.0
 */
export interface ShutdownOptions {
  /** Wait until every running and queued task is done. @default true */
  wait?: boolean | undefined
  /** Cancel the queued (PENDING) futures. @default false */
  cancelFutures?: boolean | undefined
}

/**
 * Static information an executor gives its base class.
 *
 * @since 0.1.0
 */
export interface ExecutorInfo {
  /** `'async'`, `'thread'`, `'process'`, or a third-party backend's own word. */
  kind: string
  /** How many calls the executor runs at once (published with `executor:create`). */
  maxWorkers: number
  /** A label for reports; defaults to `<ClassName> #<id>`. */
  name?: string | undefined
  /**
   * The user's `maxQueue` option, passed on unchecked (the base class validates it): at most this
   * many calls wait for a worker; `submit()` beyond it throws `QueueFullError`. @default Infinity
   */
  maxQueue?: number | undefined
}

/**
 * The arguments `submit()`/`submitWith()` take for the callable `C`: each may also be a
 * `Future` of that argument's type, which the executor waits for and replaces by its value
 * (a dependency). Backends declare `submitWith(options, fn, ...args: SubmitArgs<C>)`.
 *
 * @since 0.1.0
 */
export type SubmitArgs<C> = ArgumentsOrFutures<Parameters<FunctionOf<C>>>

/**
 * The argument tuple `A` with each element allowed to be a `Future` of its type (see {@link SubmitArgs}).
 *
 * @since 0.1.0
 */
export type ArgumentsOrFutures<A extends readonly unknown[]> = { [K in keyof A]: A[K] | Future<A[K]> }
