/**
 * The internal hooks of `Future`: symbols and interfaces through which this package's executors
 * and `wait()` learn what happens to a future. A leaf file, so they need not import the class.
 *
 * @module
 */

/** @internal */
export const kAddWaiter: unique symbol = Symbol('addWaiter')
/** @internal */
export const kRemoveWaiter: unique symbol = Symbol('removeWaiter')
/** @internal */
export const kFailed: unique symbol = Symbol('failed')
/** @internal */
export const kOutcome: unique symbol = Symbol('outcome')
/** @internal A running task's progress report (`currentTask().progress(value)`). */
export const kReportProgress: unique symbol = Symbol('reportProgress')
/** @internal Sets the object told (before the done-callbacks) when a PENDING future is cancelled. */
export const kSetCancelHook: unique symbol = Symbol('setCancelHook')

/**
 * For executors: the object a future tells, synchronously inside `cancel()`, that it was
 * cancelled while PENDING (pass it as `new Future({ cancelHook })`). Its `futureCancelled()` runs
 * after the state is CANCELLED and before `result()` waiters and done-callbacks: take the call
 * off your queue there and call `future.setRunningOrNotifyCancel()`, so `wait()` and
 * `asCompleted()` see it at once. An executor's queue entry can be the hook itself, so a call
 * costs no closure. The future forgets its hook once it is done.
 *
 * @example
 * ```ts
 * class QueuedCall implements CancelHook {
 *   readonly future = new Future({ cancelHook: this })
 *   futureCancelled(): void {
 *     queue.delete(this)
 *     this.future.setRunningOrNotifyCancel()
 *   }
 * }
 * ```
 * @since 0.2.0
 */
export interface CancelHook {
  /**
   * Optional: asked first, while the future is PENDING; `false` refuses the cancel (the hook may
   * have moved the future on meanwhile, e.g. to RUNNING).
   */
  claimCancel?(): boolean
  /** The future was cancelled while PENDING (it is CANCELLED now). */
  futureCancelled(): void
}

/** @internal The method of a {@link QueueHook}. */
export const kFutureCancelled: unique symbol = Symbol('futureCancelled')

/**
 * @internal For executors: one hook that all the futures waiting in a queue share (set with
 * `kSetCancelHook`), told which one was cancelled while PENDING, when a {@link CancelHook} would
 * be (so a queued call costs no hook object of its own).
 */
export interface QueueHook {
  [kFutureCancelled](future: never): void
}

/** @internal Whether the future's hook lets a cancel go on (`claimCancel()`; a queue hook always does). */
export function cancelClaimed(hook: CancelHook | QueueHook | undefined): boolean {
  return hook === undefined || kFutureCancelled in hook || hook.claimCancel === undefined || hook.claimCancel()
}

/** @internal Tells the future's hook, if any, that the future was cancelled while PENDING. */
export function tellCancelled(hook: CancelHook | QueueHook | undefined, future: never): void {
  if (hook === undefined) return
  if (kFutureCancelled in hook) hook[kFutureCancelled](future)
  else hook.futureCancelled()
}

/** @internal Sets the object told about the future's start and end (executor statistics). */
export const kSetObserver: unique symbol = Symbol('setObserver')

/** @internal How a future ended, for its observer. */
export type Outcome = 'completed' | 'failed' | 'cancelled'

/**
 * @internal Told when the future leaves PENDING for RUNNING and when it is done, before waiters
 * and done-callbacks run (so a callback that submits more work sees the room it left).
 */
export interface FutureObserver {
  /** `startedAt`: when the call really started (`performance.now()` of this thread), if not now. */
  futureStarted(startedAt?: number): void
  /** `wasRunning`: it was RUNNING (a backend may finish a PENDING future directly). */
  futureDone(outcome: Outcome, wasRunning: boolean): void
}
