/**
 * Start failures: a worker that dies while starting (killed from outside, a crash in a
 * preloaded module, the system out of memory) is retried after a short delay, doubling from
 * `baseMs` with each failure in a row (at most `maxDelayMs`), and the pool gives up (breaks) only
 * when starts keep failing with none succeeding (while another worker still serves, the pool
 * keeps trying: it is not broken, and the next start may succeed).
 *
 * Two kinds of failure weigh differently:
 * - a worker that died of itself (an exit code, a crash) says its starts are broken: the pool
 *   gives up after `maxFailures` of them in a row (5), whatever the time;
 * - a worker killed from outside (SIGKILL, SIGTERM) says little about whether workers can start
 *   (an operator, an OOM killer or a chaos test may kill every new process for a while, and
 *   under heavy load a start takes long enough for many kills to land): such a failure counts a
 *   quarter, toward the delay (it doubles every 4 kills) as toward giving up, and the pool gives
 *   up only when the failures weigh `maxFailures` (20 kills) AND starts have kept failing for
 *   `spanMs` (60 s) since the first of them, none succeeding. (Measured on the chaos test F1 at
 *   load 11-15 on 2 cores: 97 % of the run was such streaks, one start in ten succeeded, the
 *   longest streak lasted 29.6 s (64 kills); with a full doubling per kill the pool spent most of
 *   a streak waiting out 1 s delays.)
 *
 * A worker whose initializer throws is different: that breaks the pool at once, as in Python,
 * and does not go through here.
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
 * Options of {@link StartBackoff} beyond its delays and count.
 * @since 0.1.0
 */
export interface StartBackoffOptions {
  /**
   * How long (ms) starts must have kept failing, none succeeding, before failures that include
   * kills from outside break the pool. Default 60,000.
   */
  readonly spanMs?: number
  /** The clock, in ms (tests inject one). Default `performance.now`. */
  readonly now?: () => number
}

/**
 * Counts consecutive start failures, and how long they have lasted.
 *
 * @example
 * ```ts
 * const backoff = new StartBackoff()
 * const verdict = backoff.failed(killed)
 * if (verdict.retry) setTimeout(spawn, verdict.delayMs)
 * else pool.break(`${verdict.failures} workers in a row died while starting, over ${backoff.failingForMs} ms`)
 * // and once a worker is up: backoff.started()
 * ```
 * @since 0.1.0
 */
export class StartBackoff {
  readonly #baseMs: number
  readonly #maxFailures: number
  readonly #maxDelayMs: number
  readonly #spanMs: number
  readonly #now: () => number
  #failures = 0
  /** Failures of the streak that were not kills from outside. */
  #own = 0
  /** Failures weighed: 1 each of its own, a quarter each kill. */
  #score = 0
  /** When the streak's first failure happened. */
  #since = 0
  #last = 0

  /**
   * @param baseMs the first retry delay (ms); it doubles with each failure in a row (each 4 kills)
   * @param maxFailures how many starts in a row may fail of themselves before the pool gives up
   *   (a kill from outside counts a quarter, and needs `options.spanMs` too)
   * @param maxDelayMs the longest delay
   * @param options the span kills must last, and the clock
   * @throws {RangeError} when a number is negative or not finite, or `maxFailures` is below 1
   */
  constructor(baseMs = 20, maxFailures = 5, maxDelayMs = 1000, options: StartBackoffOptions = {}) {
    const spanMs = options.spanMs ?? 60_000
    for (const [name, value] of [
      ['baseMs', baseMs],
      ['maxDelayMs', maxDelayMs],
      ['options.spanMs', spanMs],
    ] as const) {
      if (!Number.isFinite(value) || value < 0) throw new RangeError(`StartBackoff: ${name} must be a finite number ≥ 0 (ms), got ${String(value)}`)
    }
    if (!Number.isInteger(maxFailures) || maxFailures < 1) {
      throw new RangeError(`StartBackoff: maxFailures must be an integer ≥ 1, got ${String(maxFailures)}`)
    }
    this.#baseMs = baseMs
    this.#maxFailures = maxFailures
    this.#maxDelayMs = maxDelayMs
    this.#spanMs = spanMs
    this.#now = options.now ?? (() => performance.now())
  }

  /** Starts that failed in a row since the last one that succeeded. */
  get failures(): number {
    return this.#failures
  }

  /** How long (ms) the failures in a row have lasted: from the first to the last; 0 without any. */
  get failingForMs(): number {
    return this.#failures === 0 ? 0 : this.#last - this.#since
  }

  /**
   * The delay before the next start: 0 unless the last starts failed; `baseMs` after one failure,
   * doubling with each more (a kill from outside: a quarter of a doubling), at most `maxDelayMs`.
   */
  get delayMs(): number {
    return this.#failures === 0 ? 0 : Math.round(Math.min(this.#maxDelayMs, this.#baseMs * 2 ** (this.#score - 1)))
  }

  /** A worker started: the count starts over. */
  started(): void {
    this.#failures = 0
    this.#own = 0
    this.#score = 0
  }

  /** Whether {@link StartBackoff.failed} would say retry for one more failure now (counts nothing). */
  wouldRetry(killed = false): boolean {
    const now = this.#now()
    return !this.#givesUp(this.#own + (killed ? 0 : 1), this.#score + (killed ? 0.25 : 1), this.#failures === 0 ? now : this.#since, now)
  }

  /**
   * A worker died while starting: retry after the returned delay, or give up.
   * @param killed it was killed from outside (SIGKILL, SIGTERM): counts a quarter, and gives up
   *   only once starts have failed for `spanMs`
   */
  failed(killed = false): StartVerdict {
    const now = this.#now()
    if (this.#failures === 0) this.#since = now
    this.#last = now
    this.#failures++
    if (!killed) this.#own++
    this.#score += killed ? 0.25 : 1
    if (this.#givesUp(this.#own, this.#score, this.#since, now)) return { retry: false, failures: this.#failures, delayMs: this.delayMs }
    return { retry: true, delayMs: this.delayMs }
  }

  #givesUp(own: number, score: number, since: number, now: number): boolean {
    if (own >= this.#maxFailures) return true
    return score >= this.#maxFailures && now - since >= this.#spanMs
  }
}
