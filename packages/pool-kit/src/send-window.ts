/**
 * How much work a pool sends ahead to one worker. A worker that has its next call already when
 * it finishes one never waits for a message round trip; a long call must not hold back work
 * that another worker could run. So the window is learned per callable: 1 until a callable has
 * been seen to be short, then about `targetMs` worth of its calls (at most `max`), growing with
 * the evidence. A callable that was running when its worker died is "risky" and never sent ahead
 * again, so one crashing call never takes calls queued behind it down with it.
 *
 * Large arguments have a budget too: a call whose arguments are estimated to copy
 * {@link LARGE_ARGS} bytes or more goes to a worker only while that worker holds at most
 * `maxBytes` of arguments with it (one such call always may go), and in a message of its own, so
 * copying the next payload overlaps the worker's work on this one instead of one huge message
 * being copied first. Buffers a call moves (`transfer`) are not copied: they count toward neither
 * (a call that moves its large buffers travels like a small one, batched with others).
 *
 * @module
 */

/**
 * Arguments of this many estimated bytes or more make a call "large" (see {@link SendWindow}).
 * @since 0.1.0
 */
export const LARGE_ARGS = 64 * 1024

/** How many values of one array or object {@link argumentBytes} looks at. */
const SAMPLE = 16

/**
 * A cheap estimate of how many bytes a call's arguments take to copy: buffers and typed arrays
 * by their length, strings by theirs, plain arrays and objects by what their first values hold
 * (two levels deep), scaled to their size. Only large payloads need to be told apart from small ones.
 * Buffers in `moved` (the call's transfer list), and views on them, are not copied: 0 bytes.
 * @since 0.1.0
 */
export function argumentBytes(args: readonly unknown[], moved?: readonly unknown[]): number {
  let bytes = 0
  // eslint-disable-next-line @typescript-eslint/prefer-for-of -- indexed: for-of runs the iterator protocol in V8's unoptimized tiers
  for (let i = 0; i < args.length; i++) bytes += valueBytes(args[i], 1, moved)
  return bytes
}

function valueBytes(value: unknown, depth: number, moved: readonly unknown[] | undefined): number {
  if (typeof value === 'string') return value.length
  if (typeof value !== 'object' || value === null) return 8
  if (ArrayBuffer.isView(value)) return moved?.includes(value.buffer) === true ? 8 : value.byteLength
  if (value instanceof ArrayBuffer) return moved?.includes(value) === true ? 8 : value.byteLength
  if (depth === 0) return 8
  const values = Array.isArray(value) ? (value as unknown[]) : Object.values(value)
  const n = values.length
  if (n === 0) return 8
  const seen = Math.min(n, SAMPLE)
  let sampled = 0
  for (let i = 0; i < seen; i++) sampled += valueBytes(values[i], depth - 1, moved)
  return Math.round((sampled / seen) * n)
}

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
  /** The most bytes of arguments a worker may hold when a large call is added (one always may go). */
  readonly maxBytes: number

  /**
   * @param targetMs about how many milliseconds of work to keep sent ahead
   * @param max the most calls of one callable a worker may hold
   * @param maxBytes the most bytes of arguments a worker holds when a large call is added
   */
  constructor(targetMs = 2, max = 256, maxBytes = 4 * 1024 * 1024) {
    this.#targetMs = targetMs
    this.#max = max
    this.maxBytes = maxBytes
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
