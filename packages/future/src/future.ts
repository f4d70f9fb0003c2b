import { fileURLToPath } from 'node:url'
import { inspect } from 'node:util'
import { futureBrand, hasBrand } from './brands.js'
import { channels } from './diagnostics.js'
import type { WaitEndEvent, WaitStartEvent } from './diagnostics.js'
import { CancelledError, InvalidStateError, TimeoutError, describeValue } from './errors.js'
import { allocateFutureId, newWaitId } from './ids.js'
import { runningTaskId } from './task-storage.js'
import { checkTimeout, typeName } from './validate.js'

/**
 * The state of a {@link Future}. Python's five states: a cancelled future is `CANCELLED` until
 * its executor acknowledges it (`setRunningOrNotifyCancel()`), then `CANCELLED_AND_NOTIFIED`.
 */
export type FutureState = 'PENDING' | 'RUNNING' | 'CANCELLED' | 'CANCELLED_AND_NOTIFIED' | 'FINISHED'

/** A function called with the future once it is done. */
export type DoneCallback<T> = (future: Future<T>) => void

/** @internal Notified when a future reaches FINISHED or CANCELLED_AND_NOTIFIED (wait/asCompleted). */
export type Waiter = (future: Future) => void

/** @internal */
export const kAddWaiter: unique symbol = Symbol('addWaiter')
/** @internal */
export const kRemoveWaiter: unique symbol = Symbol('removeWaiter')
/** @internal */
export const kFailed: unique symbol = Symbol('failed')
/** @internal */
const kRemoveListener: unique symbol = Symbol('removeListener')
/** @internal Sets the object told (before the done-callbacks) when a PENDING future is cancelled. */
export const kSetCancelHook: unique symbol = Symbol('setCancelHook')

/** @internal */
export interface CancelHook {
  futureCancelled(): void
}

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
  #listeners: ResultWait[] | undefined
  #cancelHook: CancelHook | undefined

  /** @param options.name a label for diagnostics and `toString()` */
  constructor(options?: { name?: string | undefined }) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- checked at run time for JavaScript callers
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw new TypeError(`Future options must be an object like { name: 'job' }, got ${describeValue(options)}`)
    }
    const name = options?.name
    if (name !== undefined && typeof name !== 'string') {
      throw new TypeError(`Future name must be a string, got ${describeValue(name)}`)
    }
    this.id = allocateFutureId()
    this.name = name
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
    this.#state = 'CANCELLED'
    if (channels.futureCancel.hasSubscribers) channels.futureCancel.publish({ futureId: this.id })
    const hook = this.#cancelHook
    this.#cancelHook = undefined
    hook?.futureCancelled()
    this.#wakeListeners()
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
   */
  result(timeout?: number): Promise<T> {
    try {
      checkTimeout(timeout, 'result')
    } catch (error) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rethrows the validation error it caught
      return Promise.reject(error)
    }
    if (this.done()) return this.#settled()
    return this.#waitDone(timeout, false) as Promise<T>
  }

  /**
   * The call's error (`undefined` when it succeeded). Rejects with {@link CancelledError} or
   * {@link TimeoutError} like {@link Future.result}.
   */
  exception(timeout?: number): Promise<unknown> {
    try {
      checkTimeout(timeout, 'exception')
    } catch (error) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rethrows the validation error it caught
      return Promise.reject(error)
    }
    if (this.done()) return this.#settledException()
    return this.#waitDone(timeout, true)
  }

  /**
   * Calls `fn(future)` once the future is done, or at once when it is already done. Callbacks run
   * in the order they were added, synchronously inside `setResult`/`setException`/`cancel()`.
   * A callback that throws is reported with `process.emitWarning` and never stops the others.
   */
  addDoneCallback(fn: DoneCallback<T>): void {
    if (typeof fn !== 'function') {
      throw new TypeError(`addDoneCallback expects a function, got ${describeValue(fn)}`)
    }
    if (this.done()) {
      this.#invoke(fn)
      return
    }
    ;(this.#callbacks ??= []).push(fn)
  }

  /** Same outcome as {@link Future.result}: `await future` works. */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.result().then(onfulfilled, onrejected)
  }

  /**
   * For executors: PENDING → RUNNING, returns `true`; CANCELLED → CANCELLED_AND_NOTIFIED, returns
   * `false` (and wakes `wait()`/`asCompleted()`), in which case the executor must not run the
   * call. Throws in any other state: call it once per future.
   */
  setRunningOrNotifyCancel(): boolean {
    const state = this.#state
    if (state === 'PENDING') {
      this.#state = 'RUNNING'
      return true
    }
    if (state === 'CANCELLED') {
      this.#state = 'CANCELLED_AND_NOTIFIED'
      this.#notifyWaiters()
      return false
    }
    throw new Error(`Future in unexpected state: ${state}: ${this.toString()}`)
  }

  /** For executors: finishes the future with `value`. {@link InvalidStateError} when already done. */
  setResult(value: T): void {
    this.#checkSettable()
    this.#value = value
    this.#finish(false)
  }

  /**
   * For executors: finishes the future with `error` (any value, even a falsy one, counts as a
   * failure). {@link InvalidStateError} when already done.
   */
  setException(error: unknown): void {
    this.#checkSettable()
    this.#error = error
    this.#failed = true
    this.#finish(true)
  }

  /** `<Future #3 state=pending>`, `... state=finished raised RangeError`, `... returned number`. */
  toString(): string {
    const label = this.name === undefined ? `#${String(this.id)}` : `#${String(this.id)} "${this.name}"`
    let state: string
    switch (this.#state) {
      case 'PENDING':
        state = 'pending'
        break
      case 'RUNNING':
        state = 'running'
        break
      case 'CANCELLED':
      case 'CANCELLED_AND_NOTIFIED':
        state = 'cancelled'
        break
      case 'FINISHED':
        state = this.#failed ? `finished raised ${typeName(this.#error)}` : `finished returned ${typeName(this.#value)}`
        break
    }
    return `<Future ${label} state=${state}>`
  }

  /** @internal */
  [kSetCancelHook](hook: CancelHook | undefined): void {
    this.#cancelHook = hook
  }

  /** @internal `true` when FINISHED with an exception. */
  get [kFailed](): boolean {
    return this.#failed
  }

  /** @internal */
  [inspect.custom](): string {
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
    this.#state = 'FINISHED'
    if (channels.futureFinish.hasSubscribers) channels.futureFinish.publish({ futureId: this.id, failed })
    this.#notifyWaiters()
    this.#wakeListeners()
    this.#runCallbacks()
  }

  #notifyWaiters(): void {
    const waiters = this.#waiters
    if (waiters === undefined) return
    this.#waiters = undefined
    for (const waiter of waiters) waiter(this)
  }

  #wakeListeners(): void {
    const listeners = this.#listeners
    if (listeners === undefined) return
    this.#listeners = undefined
    const cancelled = this.cancelled()
    for (const listener of listeners) listener.settle(cancelled, this.#failed, this.#value, this.#error)
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
      reportCallbackError(this, error)
    }
  }

  #settled(): Promise<T> {
    if (this.cancelled()) return Promise.reject(cancelledErrorOf(this))
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a task may throw any value, and result() rejects with exactly that value
    if (this.#failed) return Promise.reject(this.#error)
    return Promise.resolve(this.#value as T)
  }

  #settledException(): Promise<unknown> {
    if (this.cancelled()) return Promise.reject(cancelledErrorOf(this))
    return Promise.resolve(this.#failed ? this.#error : undefined)
  }

  /** One promise for one wait: settled once the future is done (cancelled included). */
  #waitDone(timeout: number | undefined, exception: boolean): Promise<unknown> {
    if (timeout !== undefined && timeout <= 0) return Promise.reject(new TimeoutError())
    let pending!: ResultWait
    const promise = new Promise((resolve, reject) => {
      pending = new ResultWait(this, exception, timeout === Infinity ? undefined : timeout, resolve, reject)
    })
    ;(this.#listeners ??= []).push(pending)
    if (pending.timeout !== undefined) pending.startTimer()
    if (channels.waitStart.hasSubscribers) publishWaitEvent(pending)
    return promise
  }

  /** @internal A pending result()/exception() gave up (timeout, or rejected by a subscriber). */
  [kRemoveListener](pending: ResultWait): void {
    const listeners = this.#listeners
    const index = listeners?.indexOf(pending) ?? -1
    if (index >= 0) listeners?.splice(index, 1)
  }
}

/** The wait whose `wait:start` is being published (its waiter is on the call stack). */
let publishing: WaitEvent | undefined

/** A captured wait site: V8 turns the frames into the `stack` text only when it is first read. */
interface Site {
  stack?: string
}

/**
 * What the `wait:start` events of this package share: ids given when published, the wait site
 * (captured only when a subscriber asks during the publish: the waiter is on the call stack only
 * then, and capturing costs; formatted only when `stack` is read), and the `wait:end` publish.
 */
abstract class WaitEvent implements WaitStartEvent {
  /** 0 until published. */
  waitId = 0
  taskId: number | undefined = undefined
  abstract readonly mode: 'all' | 'any'
  abstract readonly timeout: number | undefined
  abstract readonly futureIds: readonly number[]
  abstract readonly reject: (error: Error) => void
  abstract readonly ended: boolean
  #stack: Site | string | undefined = undefined

  get stack(): string {
    return (this.#stack = formatSite(this.#stack ?? this.#captureSite()))
  }

  captureStack(): void {
    this.#stack ??= this.#captureSite()
  }

  /** Publishes `wait:end` (the subclass makes sure it happens once). */
  protected publishEnd(reason: WaitEndEvent['reason']): void {
    if (this.waitId !== 0 && channels.waitEnd.hasSubscribers) {
      channels.waitEnd.publish({ waitId: this.waitId, reason } satisfies WaitEndEvent)
    }
  }

  /** The frames of the wait site, or a note saying why there are none. */
  #captureSite(): Site | string {
    // A timed wait is never reported as a deadlock: no stack.
    if (this.timeout !== undefined) return '    (a timed wait: no stack recorded)'
    if (publishing !== this) return '    (wait site not recorded: read `stack` while the event is being published)'
    const site: Site = {}
    const limit = Error.stackTraceLimit
    Error.stackTraceLimit = 16
    Error.captureStackTrace(site, publishWaitEvent)
    Error.stackTraceLimit = limit
    return site
  }
}

/** Publishes `wait:start` for `wait`, giving it its ids; the waiter is on the call stack meanwhile. */
function publishWaitEvent(wait: WaitEvent): void {
  wait.waitId = newWaitId()
  wait.taskId = runningTaskId()
  const outer = publishing
  publishing = wait
  try {
    channels.waitStart.publish(wait)
  } finally {
    publishing = outer
  }
}

function formatSite(site: Site | string): string {
  return typeof site === 'string' ? site : waitSite(site.stack)
}

/**
 * One pending `result()`/`exception()` call (a wait on one future in mode `'all'`): its promise's
 * resolvers, its timer, and, while a subscriber listens, its own `wait:start` event. One object
 * for all of it: a program awaiting thousands of futures keeps thousands of these alive, and a
 * published wait must not double that.
 */
class ResultWait extends WaitEvent {
  readonly timeout: number | undefined
  readonly #future: Future
  readonly #exception: boolean
  /** Both `undefined` once the wait ended. */
  #resolve: ((value: unknown) => void) | undefined
  #reject: ((reason: unknown) => void) | undefined
  #timer: NodeJS.Timeout | undefined = undefined

  constructor(
    future: Future,
    exception: boolean,
    timeout: number | undefined,
    resolve: (value: unknown) => void,
    reject: (reason: unknown) => void,
  ) {
    super()
    this.#future = future
    this.#exception = exception
    this.timeout = timeout
    this.#resolve = resolve
    this.#reject = reject
  }

  // eslint-disable-next-line @typescript-eslint/class-literal-property-style -- on the prototype: no slot per wait
  get mode(): 'all' {
    return 'all'
  }

  get futureIds(): readonly number[] {
    return [this.#future.id]
  }

  get reject(): (error: Error) => void {
    return (error: Error): void => {
      if (this.#reject === undefined) return
      if (this.#timer !== undefined) clearTimeout(this.#timer)
      this.#future[kRemoveListener](this)
      this.#end('rejected', false, error)
    }
  }

  get ended(): boolean {
    return this.#reject === undefined
  }

  startTimer(): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#future[kRemoveListener](this)
      this.#end('timeout', false, new TimeoutError())
    }, this.timeout)
  }

  /** The future is done. */
  settle(cancelled: boolean, failed: boolean, value: unknown, error: unknown): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    if (cancelled) this.#end('settled', false, cancelledErrorOf(this.#future))
    else if (this.#exception) this.#end('settled', true, failed ? error : undefined)
    else if (failed) this.#end('settled', false, error)
    else this.#end('settled', true, value)
  }

  /** Ends the wait once: `ended` turns true, `wait:end` is published, the promise settles. */
  #end(reason: WaitEndEvent['reason'], ok: boolean, outcome: unknown): void {
    const resolve = this.#resolve
    const reject = this.#reject
    if (resolve === undefined || reject === undefined) return
    this.#resolve = this.#reject = undefined
    this.publishEnd(reason)
    if (ok) resolve(outcome)
    else reject(outcome)
  }
}

/**
 * Publishes `wait:start` for a wait on `futures` and returns the published wait; its `end()`
 * publishes `wait:end` (idempotent). `onReject` is called when a subscriber rejects the wait (the
 * detector's action).
 * @internal
 */
export function publishWait(
  futures: readonly Future[],
  mode: 'all' | 'any',
  timeout: number | undefined,
  onReject: (error: Error) => void,
): PublishedWait {
  const only = futures.length === 1 ? futures[0] : undefined
  const event = new PublishedWait(only === undefined ? futures.map((f) => f.id) : only.id, mode, timeout, onReject)
  publishWaitEvent(event)
  return event
}

/**
 * The `wait:start` event of a `wait()` or `asCompleted()` step: one small object per wait, alive
 * as long as the wait; the `futureIds` array and `reject` are made on first read.
 * @internal
 */
export class PublishedWait extends WaitEvent {
  readonly mode: 'all' | 'any'
  readonly timeout: number | undefined
  /** One id until `futureIds` is read, then the array. */
  #ids: number | readonly number[]
  /** `undefined` once the wait ended. */
  #onReject: ((error: Error) => void) | undefined

  constructor(
    ids: number | readonly number[],
    mode: 'all' | 'any',
    timeout: number | undefined,
    onReject: (error: Error) => void,
  ) {
    super()
    this.#ids = ids
    this.mode = mode
    this.timeout = timeout === Infinity ? undefined : timeout
    this.#onReject = onReject
  }

  get futureIds(): readonly number[] {
    const ids = this.#ids
    if (typeof ids !== 'number') return ids
    const list = [ids]
    this.#ids = list
    return list
  }

  get reject(): (error: Error) => void {
    return (error: Error): void => {
      const onReject = this.#onReject
      if (onReject === undefined) return
      this.end('rejected')
      onReject(error)
    }
  }

  get ended(): boolean {
    return this.#onReject === undefined
  }

  /** Publishes `wait:end` once. */
  end(reason: WaitEndEvent['reason']): void {
    if (this.#onReject === undefined) return
    this.#onReject = undefined
    this.publishEnd(reason)
  }
}

const ownDirectory = fileURLToPath(new URL('.', import.meta.url))

/** The frames of a wait site outside this package, or a note saying why there are none. */
function waitSite(raw: string | undefined): string {
  const frames = (raw ?? '')
    .split('\n')
    .slice(1)
    .filter((line) => !line.includes(ownDirectory) && !line.includes('node:internal') && !line.includes('<anonymous>'))
  return frames.length > 0
    ? frames.join('\n')
    : '    (wait site not recorded: `await future` runs then() from a microtask; `await future.result()` records it)'
}

/** `future #3 "resize" was cancelled before it started`. */
function cancelledErrorOf(future: Future): CancelledError {
  const label = future.name === undefined ? `#${String(future.id)}` : `#${String(future.id)} "${future.name}"`
  return new CancelledError(`future ${label} was cancelled before it started`)
}

function reportCallbackError(future: Future, error: unknown): void {
  const detail = error instanceof Error && error.stack !== undefined ? error.stack : describeValue(error)
  process.emitWarning(`exception calling callback for ${future.toString()}: ${describeValue(error)}`, {
    type: 'FutureCallbackWarning',
    code: 'ERR_FUTURE_CALLBACK',
    detail,
  })
}

/** `true` for a {@link Future} of any copy of this package. */
export function isFuture(value: unknown): value is Future {
  return value instanceof Future || hasBrand(value, futureBrand)
}
