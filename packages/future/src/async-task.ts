/**
 * A call of `AsyncPoolExecutor`, from submit to settle, in one object: the queue entry and its
 * future's cancel hook while it waits, then the `TaskContext` that `currentTask()` returns
 * inside it while it runs.
 *
 * @module
 */
import { describeCallable, loadCallable } from './callable.js'
import type { Callable } from './callable.js'
import type { TaskContext } from './context.js'
import type { Executor } from './executor.js'
import type { Future } from './future.js'
import { kReportProgress } from './future-hooks.js'
import type { CancelHook } from './future-hooks.js'
import { isTask } from './task.js'
import { runWithStoredTask } from './task-storage.js'

/** The executor's method that takes a cancelled call off its queue. */
export const kDropCancelled: unique symbol = Symbol('dropCancelled')
/** The executor's method that frees a task's slot when it ended. */
export const kTaskEnded: unique symbol = Symbol('taskEnded')
/** The executor's method that starts what the free slots can take. */
export const kPump: unique symbol = Symbol('pump')

/** What an `AsyncTask` needs of its executor. */
export interface AsyncTaskOwner extends Executor {
  [kDropCancelled](task: AsyncTask): void
  [kTaskEnded](slot: number): void
  [kPump](): void
}

/** The signal of a task submitted without one: it never aborts, so all such tasks share it. */
const neverAborted = new AbortController().signal

/**
 * One call from submit to settle, in one object (per call: no separate queue entry, context,
 * closures or record): the queue entry and its future's cancel hook while it waits, then what
 * `currentTask()` returns inside it while it runs.
 */
export class AsyncTask implements CancelHook, TaskContext {
  /** Still in the queue (false once started, or removed by cancel()). */
  queued = true
  /** The worker slot it runs in (diagnostics' `workerId`), once started. */
  slot = -1
  /** While queued: cancels the future when the submit signal aborts. */
  onAbort: (() => void) | undefined = undefined
  /** While running with a submit signal: aborts the task's own signal. */
  #abortRun: (() => void) | undefined = undefined
  #signal: AbortSignal = neverAborted

  constructor(
    readonly executor: AsyncTaskOwner,
    readonly future: Future,
    readonly fn: Callable,
    readonly args: unknown[],
    /** The `submitWith({ signal })` signal. */
    readonly submitSignal: AbortSignal | undefined,
  ) {}

  /** The id of the task's future. */
  get id(): number {
    return this.future.id
  }

  /** The task's name. */
  get name(): string | undefined {
    return this.future.name
  }

  /** Aborts when the task should stop (its submit signal aborted); never, without one. */
  get signal(): AbortSignal {
    return this.#signal
  }

  progress(value: unknown): void {
    this.future[kReportProgress](value)
  }

  futureCancelled(): void {
    if (this.queued) this.executor[kDropCancelled](this)
  }

  /** Starts the call (in its task context) and settles the future when it is done. */
  start(): void {
    const signal = this.submitSignal
    // Only a task submitted with a signal can be aborted: the others share one that never aborts.
    if (signal !== undefined) {
      const controller = new AbortController()
      this.#signal = controller.signal
      const abort = (): void => {
        controller.abort(signal.reason)
      }
      this.#abortRun = abort
      if (signal.aborted) abort()
      else signal.addEventListener('abort', abort, { once: true })
    }
    let promise: unknown
    try {
      promise = runWithStoredTask(this, callTask, this)
    } catch (error) {
      this.settle(false, error)
      return
    }
    if (isThenable(promise)) {
      Promise.resolve(promise).then(
        (value) => {
          this.settle(true, value)
        },
        (error: unknown) => {
          this.settle(false, error)
        },
      )
    } else {
      this.settle(true, promise)
    }
  }

  /** Runs the callable (inside the task context). */
  call(): unknown {
    const { fn, args } = this
    return isTask(fn) ? loadCallable(describeCallable(fn)).then((f) => f(...args)) : fn(...args)
  }

  settle(ok: boolean, value: unknown): void {
    if (this.#abortRun !== undefined) this.submitSignal?.removeEventListener('abort', this.#abortRun)
    this.executor[kTaskEnded](this.slot)
    if (ok) this.future.setResult(value)
    else this.future.setException(value)
    this.executor[kPump]()
  }
}

function callTask(task: AsyncTask): unknown {
  return task.call()
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}
