/**
 * A call of `AsyncPoolExecutor`: queued (a `WorkItem`, its future's cancel hook) and
 * running (the `TaskContext` that `currentTask()` returns inside it).
 *
 * @module
 */
import type { Callable } from './callable.js'
import type { TaskContext } from './context.js'
import type { Executor } from './executor.js'
import type { Future } from './future.js'
import { kReportProgress } from './future-hooks.js'
import type { CancelHook } from './future-hooks.js'

/** The executor's method that takes a cancelled call off its queue. */
export const kDropCancelled: unique symbol = Symbol('dropCancelled')

/** A queued call. It is its future's cancel hook: a cancel while queued takes it off the queue. */
export class WorkItem implements CancelHook {
  onAbort: (() => void) | undefined = undefined
  /** Still in the queue (false once started, or removed by cancel()). */
  queued = true

  constructor(
    readonly executor: { [kDropCancelled](item: WorkItem): void },
    readonly future: Future,
    readonly fn: Callable,
    readonly args: unknown[],
    readonly signal: AbortSignal | undefined,
  ) {}

  futureCancelled(): void {
    if (this.queued) this.executor[kDropCancelled](this)
  }
}

/** What `currentTask()` returns inside this executor's tasks. */
export class AsyncTaskContext implements TaskContext {
  readonly id: number
  readonly name: string | undefined
  readonly #future: Future

  constructor(
    future: Future,
    readonly signal: AbortSignal,
    readonly executor: Executor,
  ) {
    this.id = future.id
    this.name = future.name
    this.#future = future
  }

  progress(value: unknown): void {
    this.#future[kReportProgress](value)
  }
}
