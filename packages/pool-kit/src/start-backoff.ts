/**
 * Start failures: a worker that dies while starting (killed from outside, a crash in a
 * preloaded module, the system out of memory) is retried after a short delay, doubling from
 * `baseMs` (at most `maxDelayMs`), and the pool gives up (breaks) only after `maxFailures` starts
 * in a row failed with none succeeding (while another worker still serves, the pool keeps
 * trying: it is not broken, and the next start may succeed). A worker killed from outside
 * (SIGKILL, SIGTERM) while starting says little about whether workers can start (an operator or
 * a chaos test may kill every new process for a while): such a failure counts a quarter, so it
 * takes 20 of them in a row, against 5 that the worker died of by itself (an exit code, a crash). A worker whose initializer throws is different: that breaks the pool at once,
 * as in Python, and does not go through here.
 *
 * @module
 */

/**
 * What to do after a failed start.
 * @since 0.1.0
 */
export type StartVerdict =
  | {
      /** Start another worker. */
      readonly retry: true
      /** After this many ms. */
      readonly delayMs: number
    }
  | {
      /** Give up: break the pool. */
      readonly retry: false
      /** The failed starts in a row. */
      readonly failures: number
      /** The delay a retry would have had. */
      readonly delayMs: number
    }

/**
 * Counts consecutive start failures.
 *
 * @example
 * ```ts
 * const backoff = new StartBackoff()
 * const verdict = backoff.failed()
 * if (verdict.retry) setTimeout(spawn, verdict.delayMs)
 * else pool.break(`${verdict.failures} workers in a row died while starting`)
 * // and once a worker is up: backoff.started()
 * ```
 * @since 0.1.0
 */
export class StartBackoff {
  readonly #baseMs: number
  readonly #maxFailures: number
  readonly #maxDelayMs: number
  #failures = 0
  #score = 0

  /**
   * @param baseMs the first retry delay (ms); it doubles with each failure in a row
   * @param maxFailures how many starts in a row may fail before the pool gives up
   * @param maxDelayMs the longest delay
   */
  constructor(baseMs = 20, maxFailures = 5, maxDelayMs = 1000) {
    this.#baseMs = baseMs
    this.#maxFailures = maxFailures
    this.#maxDelayMs = maxDelayMs
  }

  /** Starts that failed in a row since the last one that succeeded. */
  get failures(): number {
    return this.#failures
  }

  /** The delay before the next start: 0 unless the last starts failed. */
  get delayMs(): number {
    return this.#failures === 0 ? 0 : Math.min(this.#maxDelayMs, this.#baseMs * 2 ** (this.#failures - 1))
  }

  /** A worker started: the count starts over. */
  started(): void {
    this.#failures = 0
    this.#score = 0
  }

  /** Whether {@link StartBackoff.failed} would say retry for one more failure (counts nothing). */
  wouldRetry(killed = false): boolean {
    return this.#score + (killed ? 0.25 : 1) < this.#maxFailures
  }

  /**
   * A worker died while starting: retry after the returned delay, or give up.
   * @param killed it was killed from outside (SIGKILL, SIGTERM): counts a quarter
   */
  failed(killed = false): StartVerdict {
    this.#failures++
    this.#score += killed ? 0.25 : 1
    if (this.#score >= this.#maxFailures) return { retry: false, failures: this.#failures, delayMs: this.delayMs }
    return { retry: true, delayMs: this.delayMs }
  }
}
