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

/**
 * A table of claim words over one `SharedArrayBuffer`. The pool allocates a slot per work item
 * it sends ahead and passes `buffer` to its workers once; a worker builds its own
 * `new ClaimWords(buffer)` view and calls {@link ClaimWords.claimRun}.
 *
 * @example
 * ```ts
 * const claims = new ClaimWords(undefined, 1024)
 * const slot = claims.allocate()         // main thread, when sending work ahead
 * // in the worker: if (!view.claimRun(slot)) skip it
 * if (claims.claimCancel(slot)) future.cancel()   // it had not started
 * claims.release(slot)                    // once its result is in
 * ```
 * @since 0.1.0
 */
export class ClaimWords {
  /** The shared memory: pass it to the workers. */
  readonly buffer: SharedArrayBuffer
  readonly #words: Int32Array
  readonly #free: number[] = []
  #next = 0

  /**
   * @param buffer an existing table (a worker's view), or `undefined` for a new one
   * @param slots the number of words of a new table
   */
  constructor(buffer?: SharedArrayBuffer, slots = 4096) {
    this.buffer = buffer ?? new SharedArrayBuffer(slots * 4)
    this.#words = new Int32Array(this.buffer)
  }

  /** How many slots the table has. */
  get capacity(): number {
    return this.#words.length
  }

  /** A free slot with its word set to PENDING, or -1 when every slot is taken. */
  allocate(): number {
    const slot = this.#free.pop() ?? (this.#next < this.#words.length ? this.#next++ : -1)
    if (slot !== -1) Atomics.store(this.#words, slot, CLAIM_PENDING)
    return slot
  }

  /** Gives a slot back (its work is done, or will never run). */
  release(slot: number): void {
    if (slot < 0) return
    Atomics.store(this.#words, slot, CLAIM_PENDING)
    this.#free.push(slot)
  }

  /** Worker side: PENDING → RUNNING. False when the main thread took the work back. */
  claimRun(slot: number): boolean {
    return Atomics.compareExchange(this.#words, slot, CLAIM_PENDING, CLAIM_RUNNING) === CLAIM_PENDING
  }

  /** Main side: PENDING → CANCELLED. False when the worker had already started the work. */
  claimCancel(slot: number): boolean {
    return Atomics.compareExchange(this.#words, slot, CLAIM_PENDING, CLAIM_CANCELLED) === CLAIM_PENDING
  }

  /** The word of a slot: {@link CLAIM_PENDING}, {@link CLAIM_RUNNING} or {@link CLAIM_CANCELLED}. */
  read(slot: number): number {
    return Atomics.load(this.#words, slot)
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
