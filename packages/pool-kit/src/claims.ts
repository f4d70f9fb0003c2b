/**
 * Claim words: how a pool and its workers agree, without a message round trip, on whether work
 * sent ahead to a worker has started. Each work item sent to a thread gets one 32-bit word in a
 * `SharedArrayBuffer`; the worker compare-and-swaps it PENDING → RUNNING just before it runs the
 * call, and the main thread compare-and-swaps it PENDING → CANCELLED to take the work back
 * (`cancel()`, or recovery after the worker died). Exactly one side wins. Workers that cannot
 * share memory (child processes) use the "sent means started" policy instead.
 *
 * @module
 */
import { monotonicMs, monotonicToPerformance } from './clock.js'

/**
 * The word of a slot nobody is using, or of work not started yet.
 * @since 0.1.0
 */
export const CLAIM_PENDING = 0
/**
 * The worker claimed the work: it runs (or ran).
 * @since 0.1.0
 */
export const CLAIM_RUNNING = 1
/**
 * The main thread claimed the work back: the worker must skip it.
 * @since 0.1.0
 */
export const CLAIM_CANCELLED = 2

/** Bits of a word that hold the claim; the rest is the slot's generation (bumped on each reuse). */
const STATE_BITS = 2
const STATE_MASK = (1 << STATE_BITS) - 1

/**
 * A table of claim words over one `SharedArrayBuffer`. The pool allocates a slot per work item
 * it sends ahead and passes `buffer` (and `startsBuffer`) to its workers once; a worker builds
 * its own `new ClaimWords(buffer, undefined, startsBuffer)` view and calls
 * {@link ClaimWords.claimRun} with the slot's {@link ClaimWords.ticket}.
 *
 * A word holds `generation << 2 | claim`: a slot reused for new work gets a new generation, so a
 * worker that still holds the slot's earlier work (taken back, then reused) can never claim the
 * new one by mistake. The generation of a fresh table is 0, so its PENDING words are 0.
 *
 * @example
 * ```ts
 * const claims = new ClaimWords(undefined, 1024)
 * const slot = claims.allocate()          // main thread, when sending work ahead
 * const ticket = claims.ticket(slot)      // sent with the work
 * // in the worker: if (!view.claimRun(slot, ticket)) skip it
 * if (claims.claimCancel(slot)) future.cancel()   // it had not started
 * claims.release(slot)                    // once its result is in
 * ```
 * @since 0.1.0
 */
export class ClaimWords {
  /** The shared memory: pass it to the workers. */
  readonly buffer: SharedArrayBuffer
  /** When each slot's work was claimed (`monotonicMs()` readings, 0 until then): pass it too. */
  readonly startsBuffer: SharedArrayBuffer
  readonly #words: Int32Array
  readonly #starts: Float64Array
  readonly #free: number[] = []
  #next = 0

  /**
   * @param buffer an existing table (a worker's view), or `undefined` for a new one
   * @param slots the number of words of a new table
   * @param startsBuffer the start times of an existing table (a worker's view)
   */
  constructor(buffer?: SharedArrayBuffer, slots = 4096, startsBuffer?: SharedArrayBuffer) {
    this.buffer = buffer ?? new SharedArrayBuffer(slots * 4)
    this.#words = new Int32Array(this.buffer)
    this.startsBuffer = startsBuffer ?? new SharedArrayBuffer(this.#words.length * 8)
    this.#starts = new Float64Array(this.startsBuffer)
  }

  /** How many slots the table has. */
  get capacity(): number {
    return this.#words.length
  }

  /** A free slot with its word set to PENDING (a new generation), or -1 when every slot is taken. */
  allocate(): number {
    const reused = this.#free.pop()
    const slot = reused ?? (this.#next < this.#words.length ? this.#next++ : -1)
    if (slot === -1) return -1
    const generation = reused === undefined ? 0 : ((Atomics.load(this.#words, slot) >>> STATE_BITS) + 1) & 0x1fffffff
    this.#starts[slot] = 0
    Atomics.store(this.#words, slot, (generation << STATE_BITS) | CLAIM_PENDING)
    return slot
  }

  /** The word a slot holds while its work is PENDING: send it with the work, for {@link ClaimWords.claimRun}. */
  ticket(slot: number): number {
    return (Atomics.load(this.#words, slot) & ~STATE_MASK) | CLAIM_PENDING
  }

  /** Gives a slot back (its work is done, or will never run). */
  release(slot: number): void {
    if (slot < 0) return
    this.#free.push(slot)
  }

  /**
   * Worker side: PENDING → RUNNING, and notes the time (`at`, a `monotonicMs()` reading, the clock
   * of every thread; now when omitted). False when the main thread took the work back (or the
   * slot went to other work since: `ticket` is the word it was sent with).
   */
  claimRun(slot: number, ticket = CLAIM_PENDING, at?: number): boolean {
    if (Atomics.compareExchange(this.#words, slot, ticket, (ticket & ~STATE_MASK) | CLAIM_RUNNING) !== ticket) return false
    this.#starts[slot] = at ?? monotonicMs()
    return true
  }

  /** Main side: PENDING → CANCELLED. False when the worker had already started the work. */
  claimCancel(slot: number): boolean {
    const pending = this.ticket(slot)
    return Atomics.compareExchange(this.#words, slot, pending, (pending & ~STATE_MASK) | CLAIM_CANCELLED) === pending
  }

  /** The claim of a slot: {@link CLAIM_PENDING}, {@link CLAIM_RUNNING} or {@link CLAIM_CANCELLED}. */
  read(slot: number): number {
    return Atomics.load(this.#words, slot) & STATE_MASK
  }

  /**
   * When the worker claimed the slot's work, as a `performance.now()` reading of the calling
   * thread; `undefined` before it did.
   */
  startedAt(slot: number): number | undefined {
    const at = this.#starts[slot] ?? 0
    return at > 0 ? monotonicToPerformance(at) : undefined
  }
}

/**
 * How a pool learns whether work it sent to a worker has started, as a small plug-in:
 * - `claims` (threads): {@link ClaimWords}; work sent ahead can be cancelled until the worker claims it;
 * - `sentMeansStarted` (processes): once sent, work counts as started for `cancel()` (as
 *   CPython's process pool treats its call queue); after a death, the process pool's start
 *   marker says which of it really started.
 * @since 0.1.0
 */
export type ClaimPolicy = 'claims' | 'sentMeansStarted'
