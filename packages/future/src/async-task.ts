/**
 * A call of `AsyncPoolExecutor`, from submit to settle, in one object: the queue entry and its
 * future's cancel hook while it waits, then the `TaskContext` that `currentTask()` returns
 * inside it while it runs; and the executor's slots, through which running calls settle.
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
    task.settle(ok, value)
  }
}

/**
 * What a call submitted with a signal keeps (the others, most of them, keep nothing): the
 * signal, and its listener while the call waits (cancels the future) or runs (aborts the task's
 * own signal).
 */
class SignalLink {
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
 * One call from submit to settle, in one object (per call: no separate queue entry, context,
 * closures or record): the queue entry and its future's cancel hook while it waits, then what
 * `currentTask()` returns inside it while it runs.
 */
export class AsyncTask implements CancelHook, TaskContext {
  /** Still in the queue (false once started, or removed by cancel()). */
  queued = true
  /** The slot it runs in, while it runs. */
  slot: Slot | undefined = undefined
  #signals: SignalLink | undefined = undefined

  /** The arguments; `undefined` when there is one, kept in {@link AsyncTask.arg} (no array kept per call). */
  readonly args: unknown[] | undefined
  readonly arg: unknown

  constructor(
    readonly executor: AsyncTaskOwner,
    readonly future: Future,
    readonly fn: Callable,
    args: unknown[],
  ) {
    if (args.length === 1) {
      this.args = undefined
      this.arg = args[0]
    } else {
      this.args = args
      this.arg = undefined
    }
  }

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
    return this.#signals?.controller?.signal ?? neverAborted
  }

  progress(value: unknown): void {
    this.future[kReportProgress](value)
  }

  futureCancelled(): void {
    if (this.queued) this.executor[kDropCancelled](this)
  }

  /** While queued: the submit signal cancels the future when it aborts (at once if it has). */
  watchSignal(signal: AbortSignal): void {
    const link = (this.#signals = new SignalLink(signal))
    if (signal.aborted) this.future.cancel()
    else link.listen(() => this.future.cancel())
  }

  /** Stops listening to the submit signal (the call left the queue). */
  unwatchSignal(): void {
    this.#signals?.detach()
  }

  /** Starts the call in `slot` (in its task context); `slot` settles the future when it is done. */
  start(slot: Slot): void {
    this.slot = slot
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
    const { fn, args, arg } = this
    if (isTask(fn)) return loadCallable(describeCallable(fn)).then((f) => (args === undefined ? f(arg) : f(...args)))
    return args === undefined ? fn(arg) : fn(...args)
  }

  /** The call is done (through its slot). */
  settle(ok: boolean, value: unknown): void {
    this.#signals?.detach()
    const slot = this.slot
    this.slot = undefined
    if (slot !== undefined) this.executor[kTaskEnded](slot)
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
