/**
 * A running call of `AsyncPoolExecutor`: the `TaskContext` that `currentTask()` returns inside
 * it; the executor's slots, through which running calls settle; and what a call submitted with a
 * signal keeps.
 *
 * @module
 */
import { describeCallable, loadCallable } from './callable.js'
import type { Callable } from './callable.js'
import type { TaskContext } from './context.js'
import type { Executor } from './executor.js'
import type { Future } from './future.js'
import { kReportProgress } from './future-hooks.js'
import { isTask } from './task.js'
import { isThenable } from './is-thenable.js'
import { runWithStoredTask } from './task-storage.js'

/** The executor's method that frees a task's slot when it ended. */
export const kTaskEnded: unique symbol = Symbol('taskEnded')
/** The executor's method that starts what the free slots can take. */
export const kPump: unique symbol = Symbol('pump')

/** What an `AsyncTask` needs of its executor. */
export interface AsyncTaskOwner extends Executor {
  [kTaskEnded](slot: Slot): void
  [kPump](): void
}

/** The signal of a task submitted without one: it never aborts, so all such tasks share it. */
const neverAborted = new AbortController().signal

/**
 * One of an executor's running places (`workerId` in diagnostics): the task running in it, and
 * the two callbacks its promise settles through. They are made once per slot, so a call costs no
 * closure: at most one task runs in a slot at a time, and the slot knows which.
 */
export class Slot {
  task: AsyncTask | undefined = undefined
  readonly fulfilled = (value: unknown): void => {
    this.#end(true, value)
  }

  readonly rejected = (error: unknown): void => {
    this.#end(false, error)
  }

  constructor(readonly index: number) {}

  #end(ok: boolean, value: unknown): void {
    const task = this.task
    if (task === undefined) return
    this.task = undefined
    task.settle(this, ok, value)
  }
}

/**
 * What a call submitted with a signal keeps (the others, most of them, keep nothing): the
 * signal, and its listener while the call waits (cancels the future) or runs (aborts the task's
 * own signal).
 */
export class SignalLink {
  listener: (() => void) | undefined = undefined
  controller: AbortController | undefined = undefined

  constructor(readonly submitSignal: AbortSignal) {}

  listen(listener: () => void): void {
    this.listener = listener
    this.submitSignal.addEventListener('abort', listener, { once: true })
  }

  detach(): void {
    if (this.listener === undefined) return
    this.submitSignal.removeEventListener('abort', this.listener)
    this.listener = undefined
  }
}

/**
 * The arguments of a call with other than one (a call with one keeps the argument itself: no
 * array per call). Only this module makes them, so no argument of a call is one.
 */
export class SpreadArgs {
  constructor(readonly list: unknown[]) {}
}

/** What a queued call keeps of its arguments: the one argument, or {@link SpreadArgs}. */
export function argumentsOf(args: unknown[]): unknown {
  return args.length === 1 ? args[0] : new SpreadArgs(args)
}

/**
 * A call while it runs: what `currentTask()` returns inside it. Made when the call starts (a
 * queued call is only its future, function and argument in the executor's queue).
 */
export class AsyncTask implements TaskContext {
  // User code sees this object (`currentTask()`): only the documented fields may be own enumerable
  // properties (`Object.keys`, `console.log`, `JSON.stringify` show them), so `executor` is the
  // one public field and the call's internals are `#` fields.
  declare readonly executor: AsyncTaskOwner
  readonly #future: Future
  readonly #fn: Callable
  /** The argument, or {@link SpreadArgs}. */
  readonly #arg: unknown
  readonly #signals: SignalLink | undefined

  constructor(executor: AsyncTaskOwner, future: Future, fn: Callable, arg: unknown, signals: SignalLink | undefined) {
    this.executor = executor
    this.#future = future
    this.#fn = fn
    this.#arg = arg
    this.#signals = signals
  }

  /** The id of the task's future. */
  get id(): number {
    return this.#future.id
  }

  /** The task's name. */
  get name(): string | undefined {
    return this.#future.name
  }

  /** Aborts when the task should stop (its submit signal aborted); never, without one. */
  get signal(): AbortSignal {
    return this.#signals?.controller?.signal ?? neverAborted
  }

  progress(value: unknown): void {
    this.#future[kReportProgress](value)
  }

  /** Starts the call in `slot` (in its task context); `slot` settles the future when it is done. */
  start(slot: Slot): void {
    slot.task = this
    const link = this.#signals
    // Only a task submitted with a signal can be aborted: the others share one that never aborts.
    if (link !== undefined) {
      const controller = (link.controller = new AbortController())
      const abort = (): void => {
        controller.abort(link.submitSignal.reason)
      }
      if (link.submitSignal.aborted) abort()
      else link.listen(abort)
    }
    let promise: unknown
    try {
      promise = runWithStoredTask(this, callTask, this)
    } catch (error) {
      slot.rejected(error)
      return
    }
    if (isThenable(promise)) Promise.resolve(promise).then(slot.fulfilled, slot.rejected)
    else slot.fulfilled(promise)
  }

  /** Runs the callable (inside the task context). */
  call(): unknown {
    const fn = this.#fn
    const arg = this.#arg
    const spread = arg instanceof SpreadArgs ? arg.list : undefined
    if (isTask(fn)) return loadCallable(describeCallable(fn)).then((f) => (spread === undefined ? f(arg) : f(...spread)))
    return spread === undefined ? fn(arg) : fn(...spread)
  }

  /** The call is done (through `slot`, which it ran in). */
  settle(slot: Slot, ok: boolean, value: unknown): void {
    this.#signals?.detach()
    this.executor[kTaskEnded](slot)
    if (ok) this.#future.setResult(value)
    else this.#future.setException(value)
    this.executor[kPump]()
  }
}

function callTask(task: AsyncTask): unknown {
  return task.call()
}
