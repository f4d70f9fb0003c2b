/** `util.inspect.custom` (a registered symbol): `node:util` need not load with this module. */
const inspectCustom = Symbol.for('nodejs.util.inspect.custom')
import { futureBrand } from './brands.js'
import { channels } from './channels.js'
import { InvalidStateError, describeValue } from './errors.js'
import { allocateFutureId } from './ids.js'
import { ProgressChannel, reportCallbackError } from './progress.js'
import type { ProgressListener } from './progress.js'
import { cancelClaimed, kAddWaiter, kFailed, kOutcome, kRemoveWaiter, kReportProgress, kSetCancelHook, kSetObserver, tellCancelled } from './future-hooks.js'
import type { CancelHook, FutureObserver, QueueHook } from './future-hooks.js'
import { checkCancelHook, checkFutureName, rejectBadTimeout } from './validate.js'
import { stateLabel } from './future-state.js'
import { registerClass } from './class-registry.js'
import type { FutureState } from './future-state.js'
import { dropSharedWait, kResultWaits, kSharedWait, removeResultWait, resultWait, settledException, settledResult, settleWaits, sharedWait } from './result-waits.js'
import { kDropShared } from './shared-wait.js'
import type { SharedWait } from './shared-wait.js'
import { kRemoveListener } from './wait-events.js'
import { addDirectThen, isPromiseResolver, kDirectReject, kDirectThens } from './direct-then.js'
import type { DirectThens, Resolver } from './direct-then.js'
import type { ResultWait } from './wait-events.js'

/**
 * A function called with the future once it is done.
 *
 * @since 0.1.0
 */
export type DoneCallback<T> = (future: Future<T>) => void

/** @internal Notified when a future reaches FINISHED or CANCELLED_AND_NOTIFIED (wait/asCompleted). */
export type Waiter = (future: Future) => void

/**
 * The eventual result of a call. An executor creates one per `submit()`; its state moves from
 * PENDING to RUNNING to FINISHED, or to CANCELLED when `cancel()` wins while it is still pending.
 *
 * A `Future` is thenable: `await future` is `await future.result()`.
 *
 * @example
 * ```ts
 * const f = new Future<number>()
 * f.addDoneCallback((done) => console.log('done:', done.toString()))
 * f.setResult(42)                       // prints "done: <Future #1 state=finished returned number>"
 * console.log(await f)                  // 42
 * ```
 *
 * @since 0.1.0
 */
export class Future<T = unknown> implements PromiseLike<T> {
  /** Unique in the process, increasing. */
  readonly id: number
  /** The task's name, shown in diagnostics and `toString()`. */
  readonly name: string | undefined

  #state: FutureState = 'PENDING'
  // Typed without T so that Future<number> is assignable to Future<unknown>.
  #value: unknown
  #error: unknown
  #failed = false
  #callbacks: ((future: never) => void)[] | undefined
  #waiters: Set<Waiter> | undefined
  #cancelHook: CancelHook | QueueHook | undefined
  #observer: FutureObserver | undefined
  #progress: ProgressChannel | undefined;
  // (the `;` above: a field named by a symbol in brackets would read as an index of its type)
  /** @internal The wait the untimed waits share, while the future is pending (result-waits.ts). */
  [kSharedWait]: SharedWait | undefined = undefined;
  /** @internal The other pending waits of `result()`/`exception()` (result-waits.ts). */
  [kResultWaits]: ResultWait[] | undefined = undefined;
  /** @internal The resolving functions of the promises awaiting it, while pending (direct-then.ts). */
  [kDirectThens]: DirectThens | undefined = undefined;
  /** @internal */
  [kDirectReject]: Resolver | undefined = undefined

  /**
   * @param options.name a label for diagnostics and `toString()`
   * @param options.cancelHook for executors: told when the future is cancelled while PENDING
   *   (see {@link CancelHook})
   * @throws TypeError when `options` is not an object, `options.name` is not a string, or
   *   `options.cancelHook` has no `futureCancelled()` method.
   */
  constructor(options?: { name?: string | undefined; cancelHook?: CancelHook | undefined }) {
    this.name = checkFutureName(options)
    this.id = allocateFutureId()
    if (options?.cancelHook !== undefined) this.#cancelHook = checkCancelHook(options.cancelHook)
  }

  /** @internal */
  // eslint-disable-next-line @typescript-eslint/class-literal-property-style -- a getter keeps the brand off instances' own keys
  get [futureBrand](): true {
    return true
  }

  /** The current state (see {@link FutureState}). */
  get state(): FutureState {
    return this.#state
  }

  /**
   * Cancels the future if it is still PENDING and returns `true`; also `true` when it was already
   * cancelled. Returns `false` once it is running or finished: a running task is never stopped by
   * `cancel()` (use `submitWith({ signal })` for that). Done-callbacks run before it returns.
   */
  cancel(): boolean {
    const state = this.#state
    if (state === 'RUNNING' || state === 'FINISHED') return false
    if (state === 'CANCELLED' || state === 'CANCELLED_AND_NOTIFIED') return true
    const hook = this.#cancelHook
    if (!cancelClaimed(hook)) return this.cancelled()
    // the claim may have settled the future already
    if (this.#state !== 'PENDING') return this.cancelled()
    this.#state = 'CANCELLED'
    this.#closeProgress()
    if (channels.futureCancel.hasSubscribers) channels.futureCancel.publish({ futureId: this.id })
    this.#cancelHook = undefined
    const observer = this.#observer
    if (observer !== undefined) {
      this.#observer = undefined
      observer.futureDone('cancelled', false)
    }
    tellCancelled(hook, this as never)
    settleWaits(this, true, false, undefined, undefined)
    this.#runCallbacks()
    return true
  }

  /** `true` when the future was cancelled. */
  cancelled(): boolean {
    return this.#state === 'CANCELLED' || this.#state === 'CANCELLED_AND_NOTIFIED'
  }

  /** `true` while the call is running. */
  running(): boolean {
    return this.#state === 'RUNNING'
  }

  /** `true` when the future was cancelled or finished. */
  done(): boolean {
    const state = this.#state
    return state === 'FINISHED' || state === 'CANCELLED' || state === 'CANCELLED_AND_NOTIFIED'
  }

  /**
   * The call's result. Rejects with the call's own error, with {@link CancelledError} when the
   * future was cancelled, or with {@link TimeoutError} when `timeout` milliseconds pass first
   * (the task is not touched by a timeout). `timeout` 0 or negative checks without waiting.
   * Untimed waits on a pending future (this, `then()`; `await future` too while someone listens
   * to wait events) share one wait (this promise), and, outside any task, one `wait:start` event.
   *
   * @throws {@link CancelledError} (the promise rejects) when the future was cancelled.
   * @throws {@link TimeoutError} (the promise rejects) when `timeout` passes first.
   * @throws TypeError (the promise rejects) when `timeout` is not a number.
   */
  result(timeout?: number): Promise<T> {
    const bad = rejectBadTimeout(timeout, 'result')
    if (bad !== undefined) return bad
    if (this.done()) return settledResult(this) as Promise<T>
    const shared = timeout === undefined || timeout === Infinity ? sharedWait(this) : undefined
    return (shared?.promise ?? resultWait(this, timeout, false)) as Promise<T>
  }

  /**
   * The call's error (`undefined` when it succeeded). Rejects with {@link CancelledError} or
   * {@link TimeoutError} like {@link Future.result}.
   *
   * @throws {@link CancelledError} (the promise rejects) when the future was cancelled.
   * @throws {@link TimeoutError} (the promise rejects) when `timeout` passes first.
   * @throws TypeError (the promise rejects) when `timeout` is not a number.
   */
  exception(timeout?: number): Promise<unknown> {
    const bad = rejectBadTimeout(timeout, 'exception')
    if (bad !== undefined) return bad
    if (this.done()) return settledException(this)
    return resultWait(this, timeout, true)
  }

  /**
   * Calls `fn(future)` once the future is done, or at once when it is already done. Callbacks run
   * in the order they were added, synchronously inside `setResult`/`setException`/`cancel()`.
   * A callback that throws is reported with `process.emitWarning` and never stops the others.
   *
   * @throws TypeError when `fn` is not a function.
   */
  addDoneCallback(fn: DoneCallback<T>): void {
    if (typeof fn !== 'function') {
      throw new TypeError(`addDoneCallback expects a function, got ${describeValue(fn)}`)
    }
    if (this.done()) {
      this.#invoke(fn)
      return
    }
    // ([fn], not [].push(fn): an array grown by push reserves 17 slots, and most futures get one callback)
    if (this.#callbacks === undefined) this.#callbacks = [fn]
    else this.#callbacks.push(fn)
  }

  /**
   * Calls `listener` with the progress the running task reports (`currentTask().progress(value)`),
   * coalesced: the latest value at most once per turn of the event loop, and the last one before
   * the future is done; never after it is done. Returns a function that unsubscribes. A listener
   * that throws is reported like a throwing done-callback (a `FutureCallbackWarning`).
   *
   * @example
   * ```ts
   * const f = executor.submit(async (files: string[]) => {
   *   for (const [i, file] of files.entries()) { await hash(file); currentTask()?.progress?.((i + 1) / files.length) }
   * }, files)
   * const stop = f.onProgress((share) => bar.update(share as number))
   * ```
   *
   * @throws TypeError when `listener` is not a function.
   */
  onProgress(listener: ProgressListener): () => void {
    if (typeof listener !== 'function') {
      throw new TypeError(`onProgress expects a function, got ${describeValue(listener)}`)
    }
    if (this.done()) return () => undefined
    return (this.#progress ??= new ProgressChannel(this)).add(listener)
  }

  /**
   * Same outcome as {@link Future.result}: `await future` works. `await future`,
   * `Promise.all(futures)` and the like hand it a promise's resolving functions, which the future
   * calls itself once it is done (no promise of its own per await); the promise returned then is
   * one shared promise, already fulfilled (they drop it unread).
   */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    // `await future`, Promise.all(): V8 passes a promise's resolving functions (direct-then.ts)
    if (!this.done() && isPromiseResolver(onfulfilled) && isPromiseResolver(onrejected)) {
      if (!channels.waitStart.hasSubscribers) return addDirectThen(this, onfulfilled, onrejected) as Promise<never>
      // someone listens: the published wait they share holds them (inside a task: result())
      const shared = sharedWait(this)
      if (shared !== undefined) return shared.addThen(onfulfilled, onrejected) as Promise<never>
    }
    return this.result().then(onfulfilled, onrejected)
  }

  /**
   * For executors: PENDING → RUNNING, returns `true`; CANCELLED → CANCELLED_AND_NOTIFIED, returns
   * `false` (and wakes `wait()`/`asCompleted()`), in which case the executor must not run the
   * call. Throws in any other state: call it once per future.
   *
   * @param startedAt - For a backend that learns of a start late (a worker claimed the call on
   * its own and says so later): when the call really started, as a `performance.now()` reading of
   * this thread. `stats()` times the call from it instead of from now. Omit it when it starts now.
   * @throws Error when the future is neither PENDING nor CANCELLED (called twice, or after it
   *   finished): a bug in the executor.
   */
  setRunningOrNotifyCancel(startedAt?: number): boolean {
    const state = this.#state
    if (state === 'PENDING') {
      this.#state = 'RUNNING'
      this.#observer?.futureStarted(startedAt)
      return true
    }
    if (state === 'CANCELLED') {
      this.#state = 'CANCELLED_AND_NOTIFIED'
      this.#notifyWaiters()
      return false
    }
    throw new Error(`Future in unexpected state: ${state}: ${this.toString()}`)
  }

  /**
   * For executors: finishes the future with `value`.
   *
   * @throws {@link InvalidStateError} when the future is already done.
   */
  setResult(value: T): void {
    this.#checkSettable()
    this.#progress?.deliver()
    this.#value = value
    this.#finish(false)
  }

  /**
   * For executors: finishes the future with `error` (any value, even a falsy one, counts as a
   * failure).
   *
   * @throws {@link InvalidStateError} when the future is already done.
   */
  setException(error: unknown): void {
    this.#checkSettable()
    this.#progress?.deliver()
    this.#error = error
    this.#failed = true
    this.#finish(true)
  }

  /** `<Future #3 state=pending>`, `... state=finished raised RangeError`, `... returned number`. */
  toString(): string {
    const label = this.name === undefined ? `#${String(this.id)}` : `#${String(this.id)} "${this.name}"`
    const state = stateLabel(this.#state, this.#failed, this.#failed ? this.#error : this.#value)
    return `<Future ${label} state=${state}>`
  }

  /** @internal */
  [kSetCancelHook](hook: CancelHook | QueueHook | undefined): void {
    this.#cancelHook = hook
  }

  /** @internal */
  [kReportProgress](value: unknown): void {
    this.#progress?.report(value)
  }

  #closeProgress(): void {
    const progress = this.#progress
    if (progress === undefined) return
    this.#progress = undefined
    progress.close()
  }

  /** @internal Only while PENDING; replaces any earlier observer. */
  [kSetObserver](observer: FutureObserver | undefined): void {
    this.#observer = observer
  }

  /** @internal A done future's value, or its error when it failed (`kFailed`). */
  get [kOutcome](): unknown {
    return this.#failed ? this.#error : this.#value
  }

  /** @internal `true` when FINISHED with an exception. */
  get [kFailed](): boolean {
    return this.#failed
  }

  /** @internal */
  [inspectCustom](): string {
    return this.toString()
  }

  /** @internal Registers a wait()/asCompleted() waiter; it is called on FINISHED or CANCELLED_AND_NOTIFIED. */
  [kAddWaiter](waiter: Waiter): void {
    ;(this.#waiters ??= new Set()).add(waiter)
  }

  /** @internal */
  [kRemoveWaiter](waiter: Waiter): void {
    this.#waiters?.delete(waiter)
  }

  #checkSettable(): void {
    if (this.done()) throw new InvalidStateError(`${this.#state}: ${this.toString()}`)
  }

  #finish(failed: boolean): void {
    const wasRunning = this.#state === 'RUNNING'
    this.#state = 'FINISHED'
    this.#cancelHook = undefined
    this.#closeProgress()
    if (channels.futureFinish.hasSubscribers) channels.futureFinish.publish({ futureId: this.id, failed })
    const observer = this.#observer
    if (observer !== undefined) {
      this.#observer = undefined
      observer.futureDone(failed ? 'failed' : 'completed', wasRunning)
    }
    this.#notifyWaiters()
    settleWaits(this, false, failed, this.#value, this.#error)
    this.#runCallbacks()
  }

  #notifyWaiters(): void {
    const waiters = this.#waiters
    if (waiters === undefined) return
    this.#waiters = undefined
    for (const waiter of waiters) waiter(this)
  }

  #runCallbacks(): void {
    const callbacks = this.#callbacks
    if (callbacks === undefined) return
    this.#callbacks = undefined
    for (const callback of callbacks) this.#invoke(callback)
  }

  #invoke(callback: (future: never) => void): void {
    try {
      callback(this as never)
    } catch (error) {
      reportCallbackError(`callback for ${this.toString()}`, error)
    }
  }

  /** @internal A subscriber rejected the shared wait: the next untimed wait makes a new one. */
  [kDropShared](wait: SharedWait): void {
    dropSharedWait(this, wait)
  }

  /** @internal A pending result()/exception() gave up (timeout, or rejected by a subscriber). */
  [kRemoveListener](pending: ResultWait): void {
    removeResultWait(this, pending)
  }
}

registerClass('Future', Future)
