/**
 * The wait that the untimed waits on a pending future share (`then()`, `result()` without a
 * timeout; `await future` and `Promise.all` too while someone listens to wait events): one wait
 * per future instead of one promise, wait record and listener list per wait. While someone
 * listens to wait events it is also the one `wait:start` event of those waits (outside any task:
 * a wait inside a task keeps its own, which the deadlock detector analyses).
 *
 * `await future` and `Promise.all` hand the future a promise's resolving functions
 * (direct-then.ts); while someone listens they are kept here, in the published wait, and called
 * when it ends, so a listened-to await costs the event and no promise of its own. `result()` gets
 * a promise, made on its first call.
 *
 * @internal
 * @module
 */
import { addDirectThen, kDirectReject, kDirectThens, returned, settleDirectThens } from './direct-then.js'
import type { DirectThenHolder, DirectThens, Resolver } from './direct-then.js'
import { kFailed, kOutcome } from './future-hooks.js'
import { cancelledErrorOf, WaitEvent } from './wait-events.js'

/** Called on the future by a shared wait that a subscriber rejected: the next wait needs a new one. */
export const kDropShared: unique symbol = Symbol('dropShared')

/** What a shared wait needs of its future. */
export interface SharingFuture {
  readonly id: number
  readonly name: string | undefined
  /** Once done: whether it failed, and its value or error (the wait's outcome, unless cancelled). */
  readonly [kFailed]: boolean
  readonly [kOutcome]: unknown
  [kDropShared](wait: SharedWait): void
}

/** A shared wait's state: open, or how it ended (see {@link SharedWait}). */
const OPEN = 0
/** Ended because the future is done: its outcome is the future's (a cancelled one's error is in `rest`). */
const SETTLED = 1
/** Ended by a subscriber's `reject()`: the error is in `rest`. */
const REJECTED = 2

/**
 * What a shared wait needs only sometimes, in one object made on first need: the promise of
 * `result()` (made when first asked for) with its resolving functions until it settles, and the
 * error of an end that is not the future's own outcome (cancelled, or rejected by a subscriber).
 */
interface SharedWaitRest {
  promise?: Promise<unknown>
  resolve?: ((value: unknown) => void) | undefined
  reject?: ((reason: unknown) => void) | undefined
  error?: unknown
}

/**
 * @internal
 * Kept small: while someone listens, every pending future that is awaited holds one, alive (and
 * copied by the scavenges) until the future is done. The fields are the awaits' resolving
 * functions, the future, the state and, made on first need, {@link SharedWaitRest}.
 */
export class SharedWait extends WaitEvent implements DirectThenHolder {
  /** The resolving functions of the awaits sharing this wait (direct-then.ts). */
  [kDirectThens]: DirectThens | undefined = undefined;
  /** @internal */
  [kDirectReject]: Resolver | undefined = undefined
  readonly #future: SharingFuture
  #state: typeof OPEN | typeof SETTLED | typeof REJECTED = OPEN
  #rest: SharedWaitRest | undefined = undefined

  constructor(future: SharingFuture) {
    super()
    this.#future = future
  }

  /** Outside any task, always (inside one, while someone listens, each wait has its own event). */
  get taskId(): undefined {
    return undefined
  }

  /** What every `result()` sharing this wait awaits. */
  get promise(): Promise<unknown> {
    const rest = (this.#rest ??= {})
    if (rest.promise !== undefined) return rest.promise
    if (this.#state === OPEN) {
      return (rest.promise = new Promise((resolve, reject) => {
        rest.resolve = resolve
        rest.reject = reject
      }))
    }
    // ended while being published (a subscriber rejected it): it ends the same way for everyone
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a task may throw any value
    return (rest.promise = this.#ok() ? Promise.resolve(this.#outcome()) : Promise.reject(this.#outcome()))
  }

  /** Adds an await's resolving functions (direct-then.ts); calls one at once when the wait ended already. */
  addThen(onfulfilled: Resolver, onrejected: Resolver): Promise<undefined> {
    if (this.#state === OPEN) return addDirectThen(this, onfulfilled, onrejected)
    ;(this.#ok() ? onfulfilled : onrejected)(this.#outcome())
    return returned
  }

  // eslint-disable-next-line @typescript-eslint/class-literal-property-style -- on the prototype: no slot per wait
  get mode(): 'all' {
    return 'all'
  }

  get timeout(): undefined {
    return undefined
  }

  get ended(): boolean {
    return this.#state !== OPEN
  }

  get futureIds(): readonly number[] {
    return [this.#future.id]
  }

  /** Rejects every wait sharing this one (they are the same wait: same future, same context). */
  get reject(): (error: Error) => void {
    return (error: Error): void => {
      if (this.#state !== OPEN) return
      this.#future[kDropShared](this)
      this.#end(REJECTED, false, error, true)
    }
  }

  /** The future is done. */
  settle(cancelled: boolean, failed: boolean, value: unknown, error: unknown): void {
    if (cancelled) this.#end(SETTLED, false, cancelledErrorOf(this.#future), true)
    else if (failed) this.#end(SETTLED, false, error, false)
    else this.#end(SETTLED, true, value, false)
  }

  /** Whether the wait ended with a value; only once ended. */
  #ok(): boolean {
    const rest = this.#rest
    return rest !== undefined && 'error' in rest ? false : !this.#future[kFailed]
  }

  /** The value or error the wait ended with; only once ended. */
  #outcome(): unknown {
    const rest = this.#rest
    return rest !== undefined && 'error' in rest ? rest.error : this.#future[kOutcome]
  }

  /**
   * Ends the wait once: `ended` turns true, `wait:end` is published, the waits settle. `keep`: the
   * outcome is not the future's own (cancelled, or rejected by a subscriber): kept for later asks.
   */
  #end(state: typeof SETTLED | typeof REJECTED, ok: boolean, outcome: unknown, keep: boolean): void {
    if (this.#state !== OPEN) return
    this.#state = state
    if (keep) (this.#rest ??= {}).error = outcome
    this.publishEnd(state === REJECTED ? 'rejected' : 'settled')
    const rest = this.#rest
    if (rest?.resolve !== undefined && rest.reject !== undefined) {
      const { resolve, reject } = rest
      rest.resolve = rest.reject = undefined
      if (ok) resolve(outcome)
      else reject(outcome)
    }
    if (this[kDirectThens] !== undefined) settleDirectThens(this, !ok, outcome)
  }
}
