/**
 * Start failures: a worker that dies while starting (killed from outside, a crash in a
 * preloaded module, the system out of memory) is retried after a short delay, doubling from
 * `baseMs`, and the pool gives up (breaks) only after `maxFailures` starts in a row failed with
 * none succeeding. A worker whose initializer throws is different: that breaks the pool at once,
 * as in Python, and does not go through here.
 *
 * @module
 */

/**
 * What to do after a failed start.
 * @since 0.1.0
 */
export type StartVerdict = { readonly retry: true; readonly delayMs: number } | { readonly retry: false; readonly failures: number }

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
  #failures = 0

  /**
   * @param baseMs the first retry delay (ms); it doubles with each failure in a row
   * @param maxFailures how many starts in a row may fail before the pool gives up
   */
  constructor(baseMs = 20, maxFailures = 5) {
    this.#baseMs = baseMs
    this.#maxFailures = maxFailures
  }

  /** Starts that failed in a row since the last one that succeeded. */
  get failures(): number {
    return this.#failures
  }

  /** The delay before the next start: 0 unless the last starts failed. */
  get delayMs(): number {
    return this.#failures === 0 ? 0 : this.#baseMs * 2 ** (this.#failures - 1)
  }

  /** A worker started: the count starts over. */
  started(): void {
    this.#failures = 0
  }

  /** A worker died while starting: retry after the returned delay, or give up. */
  failed(): StartVerdict {
    this.#failures++
    if (this.#failures >= this.#maxFailures) return { retry: false, failures: this.#failures }
    return { retry: true, delayMs: this.delayMs }
  }
}
