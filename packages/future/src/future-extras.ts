/**
 * What a `Future` keeps only once someone uses it: done-callbacks, the waiters of `wait()` and
 * `asCompleted()`, progress listeners, and the pending waits of `result()`/`exception()`. A
 * future awaited or gathered with `Promise.all` needs none of it, so it all lives in one object,
 * made when the first is added: every future is five fields (40 bytes) smaller, and a future lives
 * from its submit until it is awaited, through the young generation's collections.
 *
 * @internal
 * @module
 */
import type { ProgressChannel } from './progress.js'
import type { SharedWait } from './shared-wait.js'
import type { ResultWait } from './wait-events.js'

/** @internal A future's rarely used listeners and waits (see the module's notes). */
export class FutureExtras {
  /** The done-callbacks, in the order they were added. */
  callbacks: ((future: never) => void)[] | undefined = undefined
  /** The waiters of `wait()`/`asCompleted()`. */
  waiters: Set<(future: never) => void> | undefined = undefined
  /** The progress listeners. */
  progress: ProgressChannel | undefined = undefined
  /** The wait the untimed waits share, while the future is pending (result-waits.ts). */
  sharedWait: SharedWait | undefined = undefined
  /** The other pending waits of `result()`/`exception()` (result-waits.ts). */
  resultWaits: ResultWait[] | undefined = undefined
}
