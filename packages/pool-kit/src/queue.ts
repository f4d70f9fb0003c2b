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
  // TypeScript-private fields, not `#` ones: in V8's unoptimized tiers each `#` access is a keyed
  // lookup of a private symbol, dearer than a named load or store, and a pool's submit and
  // dispatcher (and a worker's runtime) push, peek and shift every call (issue 13, W6)
  private _buffer: (T | undefined)[]
  private _head = 0
  private _size = 0

  /** @param capacity the starting capacity (a power of two is kept; it grows on demand) */
  constructor(capacity = 16) {
    let n = 4
    while (n < capacity) n *= 2
    this._buffer = new Array<T | undefined>(n)
  }

  /** How many values are queued. */
  get size(): number {
    return this._size
  }

  /** Adds a value at the back. */
  push(value: T): void {
    if (this._size === this._buffer.length) this._grow(this._size + 1)
    this._buffer[(this._head + this._size) & (this._buffer.length - 1)] = value
    this._size++
  }

  /** Removes and returns the value at the front, or `undefined` when empty. */
  shift(): T | undefined {
    if (this._size === 0) return undefined
    const value = this._buffer[this._head]
    this._buffer[this._head] = undefined
    this._head = (this._head + 1) & (this._buffer.length - 1)
    this._size--
    return value
  }

  /** The value at the front, without removing it. */
  peek(): T | undefined {
    return this._size === 0 ? undefined : this._buffer[this._head]
  }

  /** Puts `values` at the front, keeping their order (the first one is shifted first). */
  unshiftAll(values: readonly T[]): void {
    if (values.length === 0) return
    if (this._size + values.length > this._buffer.length) this._grow(this._size + values.length)
    const mask = this._buffer.length - 1
    for (let i = values.length - 1; i >= 0; i--) {
      this._head = (this._head - 1) & mask
      this._buffer[this._head] = values[i]
    }
    this._size += values.length
  }

  /** Removes every value and returns them, front first. */
  drain(): T[] {
    const out: T[] = []
    while (this._size > 0) out.push(this.shift() as T)
    return out
  }

  /** The queued values, front first (a snapshot is not taken: do not change the queue meanwhile). */
  *[Symbol.iterator](): Iterator<T> {
    const mask = this._buffer.length - 1
    for (let i = 0; i < this._size; i++) yield this._buffer[(this._head + i) & mask] as T
  }

  private _grow(needed: number): void {
    let n = this._buffer.length * 2
    while (n < needed) n *= 2
    const next = new Array<T | undefined>(n)
    const mask = this._buffer.length - 1
    for (let i = 0; i < this._size; i++) next[i] = this._buffer[(this._head + i) & mask]
    this._buffer = next
    this._head = 0
  }
}
