/**
 * A map from future ids to values, tuned for the detector's hot path: ids are handed out in
 * increasing order and most tasks finish soon after they are submitted, roughly in order. Ids
 * near the newest one live in an array indexed by `id - offset` (a set or delete is an index
 * operation); the rare old survivors and out-of-order ids go to a plain `Map`. `Map` alone
 * rehashes as a burst of tasks grows and drains it, which cost the detector more than anything
 * else it does per task.
 *
 * @module
 */

/** Below this many slots, the window is never compacted. */
const MIN_WINDOW = 1024
/** A gap of more ids than this (futures the table never saw) restarts the window. */
const MAX_GAP = 65_536

export class IdTable<V> {
  /** `#slots[i]` holds the value of id `#offset + i`, `undefined` when absent. */
  #slots: (V | undefined)[] = []
  #offset = 0
  /** Index of the first slot that may hold a value. */
  #head = 0
  /** Values in the window. */
  #live = 0
  /** Ids below the window, and ids that did not fit in it. */
  readonly #far = new Map<number, V>()

  get size(): number {
    return this.#live + this.#far.size
  }

  /** Slots the window holds (live or not): what it costs in memory, bounded by the compaction. */
  get windowSlots(): number {
    return this.#slots.length
  }

  get(id: number): V | undefined {
    const index = id - this.#offset
    if (index >= this.#head && index < this.#slots.length) return this.#slots[index]
    return this.#far.size === 0 ? undefined : this.#far.get(id)
  }

  /** `value` must not be `undefined`. */
  set(id: number, value: V): void {
    const slots = this.#slots
    let index = id - this.#offset
    if (index >= this.#head && index < slots.length) {
      if (slots[index] === undefined) this.#live++
      slots[index] = value
      return
    }
    if (index < this.#head) {
      // below the window (far ids always are): an old id, or one submitted out of order
      this.#far.set(id, value)
      return
    }
    if (index - slots.length > MAX_GAP) {
      this.#restartAt(id)
      index = 0
    }
    while (this.#slots.length < index) this.#slots.push(undefined)
    this.#slots.push(value)
    this.#live++
  }

  /** Removes an id's value and returns it (`undefined` when there was none). */
  take(id: number): V | undefined {
    const slots = this.#slots
    const index = id - this.#offset
    if (index >= this.#head && index < slots.length) {
      const value = slots[index]
      if (value === undefined) return undefined
      slots[index] = undefined
      this.#live--
      if (index === this.#head) this.#advance()
      else if (slots.length - this.#head > 2 * this.#live + MIN_WINDOW) this.#evict()
      return value
    }
    if (this.#far.size === 0) return undefined
    const value = this.#far.get(id)
    this.#far.delete(id)
    return value
  }

  /** Every entry, the far ones first, then the window in id order. */
  *entries(): Generator<[number, V]> {
    yield* this.#far
    const slots = this.#slots
    for (let index = this.#head; index < slots.length; index++) {
      const value = slots[index]
      if (value !== undefined) yield [this.#offset + index, value]
    }
  }

  *keys(): Generator<number> {
    for (const [id] of this.entries()) yield id
  }

  /** Skips the empty slots at the front; compacts the window when it is mostly empty. */
  #advance(): void {
    const slots = this.#slots
    let head = this.#head
    while (head < slots.length && slots[head] === undefined) head++
    if (head === slots.length) {
      // empty: start over without reallocating
      this.#offset += head
      this.#head = 0
      slots.length = 0
      return
    }
    this.#head = head
    if (slots.length - head > 2 * this.#live + MIN_WINDOW) this.#evict()
    else if (head >= MIN_WINDOW && head * 2 > slots.length) this.#slice()
  }

  /**
   * A long-lived value pins the front while everything after it comes and goes: moves the oldest
   * values out to the far map until the window is at most about twice as long as what it holds.
   */
  #evict(): void {
    const slots = this.#slots
    let index = this.#head
    while (index < slots.length && slots.length - index > 2 * this.#live + MIN_WINDOW / 2) {
      const value = slots[index]
      if (value !== undefined) {
        this.#far.set(this.#offset + index, value)
        this.#live--
      }
      index++
    }
    while (index < slots.length && slots[index] === undefined) index++
    this.#head = index
    this.#slice()
  }

  /** Drops the slots before the head. */
  #slice(): void {
    const head = this.#head
    if (head === 0) return
    this.#slots = this.#slots.slice(head)
    this.#offset += head
    this.#head = 0
  }

  /** Moves everything in the window to the far map and starts the window at `id`. */
  #restartAt(id: number): void {
    const slots = this.#slots
    for (let index = this.#head; index < slots.length; index++) {
      const value = slots[index]
      if (value !== undefined) this.#far.set(this.#offset + index, value)
    }
    this.#slots = []
    this.#offset = id
    this.#head = 0
    this.#live = 0
  }
}
