/**
 * The wait that the untimed waits on a pending future share (`then()`, `result()` without a
 * timeout; `await future` and `Promise.all` only while someone listens to wait events, else
 * they take direct-then.ts's path): one promise per future instead of one promise, wait
 * record and listener list per wait. While someone listens to wait events it is also the one
 * `wait:start` event of those waits (outside any task: a wait inside a task keeps its own, which
 * the deadlock detector analyses).
 *
 * @internal
 * @module
 */
import { cancelledErrorOf, PromiseWait } from './wait-events.js'

/** Called on the future by a shared wait that a subscriber rejected: the next wait needs a new one. */
export const kDropShared: unique symbol = Symbol('dropShared')

/** What a shared wait needs of its future. */
export interface SharingFuture {
  readonly id: number
  readonly name: string | undefined
  [kDropShared](wait: SharedWait): void
}

/** @internal */
export class SharedWait extends PromiseWait {
  /** What every wait sharing this one awaits. */
  readonly promise: Promise<unknown>
  readonly #future: SharingFuture

  constructor(future: SharingFuture) {
    let resolve!: (value: unknown) => void
    let reject!: (reason: unknown) => void
    const promise = new Promise((res, rej) => {
      resolve = res
      reject = rej
    })
    super(resolve, reject)
    this.promise = promise
    this.#future = future
  }

  get timeout(): undefined {
    return undefined
  }

  get futureIds(): readonly number[] {
    return [this.#future.id]
  }

  /** Rejects every wait sharing this one (they are the same wait: same future, same context). */
  get reject(): (error: Error) => void {
    return (error: Error): void => {
      if (this.ended) return
      this.#future[kDropShared](this)
      this.end('rejected', false, error)
    }
  }

  /** The future is done. */
  settle(cancelled: boolean, failed: boolean, value: unknown, error: unknown): void {
    if (cancelled) this.end('settled', false, cancelledErrorOf(this.#future))
    else if (failed) this.end('settled', false, error)
    else this.end('settled', true, value)
  }
}
