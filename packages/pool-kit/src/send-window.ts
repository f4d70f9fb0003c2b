/**
 * How much work a pool sends ahead to one worker. A worker that has its next call already when
 * it finishes one never waits for a message round trip; a long call must not hold back work
 * that another worker could run. So the window is learned per callable: 1 until a callable has
 * been seen to be short, then about `targetMs` worth of its calls (at most `max`), growing with
 * the evidence. A callable that was running when its worker died is "risky" and never sent ahead
 * again, so one crashing call never takes calls queued behind it down with it.
 *
 * The window counts calls today; a byte budget (large arguments) can join it without changing
 * its callers.
 *
 * @module
 */

interface Stats {
  mean: number
  seen: number
  risky: boolean
}

/**
 * The per-callable send-ahead window.
 *
 * @example
 * ```ts
 * const window = new SendWindow()
 * window.learn(specId, 0.01)   // a result came back: 0.01 ms per call
 * window.for(specId)           // 1, then more as results keep coming
 * ```
 * @since 0.1.0
 */
export class SendWindow {
  readonly #stats = new Map<number, Stats>()
  readonly #targetMs: number
  readonly #max: number

  /**
   * @param targetMs about how many milliseconds of work to keep sent ahead
   * @param max the most calls of one callable a worker may hold
   */
  constructor(targetMs = 2, max = 256) {
    this.#targetMs = targetMs
    this.#max = max
  }

  /** How many calls of this callable a worker may hold at once. */
  for(specId: number): number {
    const stats = this.#stats.get(specId)
    if (stats === undefined || stats.risky) return 1
    // Grow with the evidence (one more per result seen), so one quick call is not taken as a promise.
    return Math.max(1, Math.min(this.#max, stats.seen, Math.floor(this.#targetMs / Math.max(stats.mean, 0.001))))
  }

  /** A result came back: the callable took about `meanMs` per call. */
  learn(specId: number, meanMs: number): void {
    const stats = this.#stats.get(specId)
    if (stats === undefined) this.#stats.set(specId, { mean: meanMs, seen: 1, risky: false })
    else {
      stats.mean = stats.mean * 0.7 + meanMs * 0.3
      stats.seen++
    }
  }

  /** One more result of a callable whose duration was just learned. */
  count(specId: number): void {
    const stats = this.#stats.get(specId)
    if (stats !== undefined) stats.seen++
  }

  /** The callable was running when its worker died: send it alone from now on. */
  markRisky(specId: number): void {
    const stats = this.#stats.get(specId)
    if (stats === undefined) this.#stats.set(specId, { mean: 0, seen: 0, risky: true })
    else stats.risky = true
  }
}
