/**
 * A first-in first-out queue on a growable ring buffer: `push`, `shift` and `unshift` are O(1)
 * (amortized), and nothing is ever copied to drop a consumed head (the pools' old queues were
 * arrays with a head index that had to be sliced from time to time).
 *
 * @module
 */

/**
 * A FIFO queue on a ring buffer. Work taken back from a dead worker goes to the front with
 * {@link FifoQueue.unshiftAll}, in its original order.
 *
 * @example
 * ```ts
 * const queue = new FifoQueue<string>()
 * queue.push('a'); queue.push('b'); queue.unshiftAll(['x', 'y'])
 * queue.shift() // 'x'
 * ```
 * @since 0.1.0
 */
export class FifoQueue<T> implements Iterable<T> {
  #buffer: (T | undefined)[]
  #head = 0
  #size = 0

  /** @param capacity the starting capacity (a power of two is kept; it grows on demand) */
  constructor(capacity = 16) {
    let n = 4
    while (n < capacity) n *= 2
    this.#buffer = new Array<T | undefined>(n)
  }

  /** How many values are queued. */
  get size(): number {
    return this.#size
  }

  /** Adds a value at the back. */
  push(value: T): void {
    if (this.#size === this.#buffer.length) this.#grow(this.#size + 1)
    this.#buffer[(this.#head + this.#size) & (this.#buffer.length - 1)] = value
    this.#size++
  }

  /** Removes and returns the value at the front, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined
    const value = this.#buffer[this.#head]
    this.#buffer[this.#head] = undefined
    this.#head = (this.#head + 1) & (this.#buffer.length - 1)
    this.#size--
    return value
  }

  /** The value at the front, without removing it. */
  peek(): T | undefined {
    return this.#size === 0 ? undefined : this.#buffer[this.#head]
  }

  /** Puts `values` at the front, keeping their order (the first one is shifted first). */
  unshiftAll(values: readonly T[]): void {
    if (values.length === 0) return
    if (this.#size + values.length > this.#buffer.length) this.#grow(this.#size + values.length)
    const mask = this.#buffer.length - 1
    for (let i = values.length - 1; i >= 0; i--) {
      this.#head = (this.#head - 1) & mask
      this.#buffer[this.#head] = values[i]
    }
    this.#size += values.length
  }

  /** Removes every value and returns them, front first. */
  drain(): T[] {
    const out: T[] = []
    while (this.#size > 0) out.push(this.shift() as T)
    return out
  }

  /** The queued values, front first (a snapshot is not taken: do not change the queue meanwhile). */
  *[Symbol.iterator](): Iterator<T> {
    const mask = this.#buffer.length - 1
    for (let i = 0; i < this.#size; i++) yield this.#buffer[(this.#head + i) & mask] as T
  }

  #grow(needed: number): void {
    let n = this.#buffer.length * 2
    while (n < needed) n *= 2
    const next = new Array<T | undefined>(n)
    const mask = this.#buffer.length - 1
    for (let i = 0; i < this.#size; i++) next[i] = this.#buffer[(this.#head + i) & mask]
    this.#buffer = next
    this.#head = 0
  }
}
