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
import type { WaitEndEvent } from './diagnostics.js'
import { cancelledErrorOf, WaitEvent } from './wait-events.js'

/** Called on the future by a shared wait that a subscriber rejected: the next wait needs a new one. */
export const kDropShared: unique symbol = Symbol('dropShared')

/** What a shared wait needs of its future. */
export interface SharingFuture {
  readonly id: number
  readonly name: string | undefined
  [kDropShared](wait: SharedWait): void
}

/** @internal */
export class SharedWait extends WaitEvent implements DirectThenHolder {
  /** The resolving functions of the awaits sharing this wait (direct-then.ts). */
  [kDirectThens]: DirectThens | undefined = undefined;
  /** @internal */
  [kDirectReject]: Resolver | undefined = undefined
  readonly #future: SharingFuture
  /** `'open'` until the wait ends; then how, with {@link SharedWait.#outcome}. */
  #state: 'open' | 'fulfilled' | 'rejected' = 'open'
  /** The value or error the wait ended with (a subscriber may end it before anybody awaits it). */
  #outcome: unknown = undefined
  /** The promise of `result()`, once asked for, with its resolving functions until it settles. */
  #promise: Promise<unknown> | undefined = undefined
  #resolve: ((value: unknown) => void) | undefined = undefined
  #reject: ((reason: unknown) => void) | undefined = undefined

  constructor(future: SharingFuture) {
    super()
    this.#future = future
  }

  /** What every `result()` sharing this wait awaits. */
  get promise(): Promise<unknown> {
    if (this.#promise !== undefined) return this.#promise
    if (this.#state === 'open') {
      return (this.#promise = new Promise((resolve, reject) => {
        this.#resolve = resolve
        this.#reject = reject
      }))
    }
    // ended while being published (a subscriber rejected it): it ends the same way for everyone
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a task may throw any value
    return (this.#promise = this.#state === 'fulfilled' ? Promise.resolve(this.#outcome) : Promise.reject(this.#outcome))
  }

  /** Adds an await's resolving functions (direct-then.ts); calls one at once when the wait ended already. */
  addThen(onfulfilled: Resolver, onrejected: Resolver): Promise<undefined> {
    if (this.#state === 'open') return addDirectThen(this, onfulfilled, onrejected)
    ;(this.#state === 'fulfilled' ? onfulfilled : onrejected)(this.#outcome)
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
    return this.#state !== 'open'
  }

  get futureIds(): readonly number[] {
    return [this.#future.id]
  }

  /** Rejects every wait sharing this one (they are the same wait: same future, same context). */
  get reject(): (error: Error) => void {
    return (error: Error): void => {
      if (this.#state !== 'open') return
      this.#future[kDropShared](this)
      this.#end('rejected', false, error)
    }
  }

  /** The future is done. */
  settle(cancelled: boolean, failed: boolean, value: unknown, error: unknown): void {
    if (cancelled) this.#end('settled', false, cancelledErrorOf(this.#future))
    else if (failed) this.#end('settled', false, error)
    else this.#end('settled', true, value)
  }

  /** Ends the wait once: `ended` turns true, `wait:end` is published, the waits settle. */
  #end(reason: WaitEndEvent['reason'], ok: boolean, outcome: unknown): void {
    if (this.#state !== 'open') return
    this.#state = ok ? 'fulfilled' : 'rejected'
    this.#outcome = outcome
    this.publishEnd(reason)
    const resolve = this.#resolve
    const reject = this.#reject
    if (resolve !== undefined && reject !== undefined) {
      this.#resolve = this.#reject = undefined
      if (ok) resolve(outcome)
      else reject(outcome)
    }
    if (this[kDirectThens] !== undefined) settleDirectThens(this, !ok, outcome)
  }
}
