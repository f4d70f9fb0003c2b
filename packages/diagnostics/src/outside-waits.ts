/**
 * The open waits outside any task (typically the main thread awaiting futures). The detector only
 * needs them when it writes a report (they can hang off a deadlock, never close one), but a
 * program may start and end thousands per second: this keeps them at the cost of an array push
 * per wait and, usually, an index bump at its end.
 *
 * Waits end mostly in the order they started (`Promise.all` over a burst of futures): an end that
 * matches the oldest open wait just moves the front. Events that tell when they have `ended`
 * (`@x/future`'s do) are kept in that list; an end out of order is only counted, and the list is
 * swept once such ends make up half of it. Events without `ended` (a backend republishing a
 * worker's waits) are indexed by id instead.
 *
 * @module
 */
import type { WaitEndEvent, WaitStartEvent } from '@x/future'

/** Below this many, out-of-order ends do not trigger a sweep. */
const MIN_SWEEP = 256

export class OutsideWaits {
  /** In start order (wait ids grow); `#head` is the oldest that may be open. */
  readonly #list: WaitStartEvent[] = []
  #head = 0
  /** Ends that did not match the front: ended events still in the list (an upper bound). */
  #loose = 0
  /** Events without `ended`, by wait id. */
  readonly #byId = new Map<number, WaitStartEvent>()

  /** Events held (open ones and ended ones not dropped yet): bounded by about twice the open ones. */
  get retained(): number {
    return this.#list.length - this.#head + this.#byId.size
  }

  add(event: WaitStartEvent): void {
    if (typeof event.ended === 'boolean') this.#list.push(event)
    else this.#byId.set(event.waitId, event)
  }

  end(event: WaitEndEvent): void {
    if (this.#byId.size > 0 && this.#byId.delete(event.waitId)) return
    const list = this.#list
    let head = this.#head
    if (head < list.length && list[head]?.waitId === event.waitId) {
      head++
      // the ones after it may have ended out of order already
      if (this.#loose > 0) {
        while (head < list.length && list[head]?.ended === true) {
          head++
          this.#loose--
        }
      }
    } else {
      this.#loose++
    }
    if (head === list.length) {
      list.length = 0
      this.#head = 0
      this.#loose = 0
      return
    }
    this.#head = head
    if (this.#loose >= MIN_SWEEP && this.#loose * 2 > list.length - head) this.#sweep()
    else if (head >= MIN_SWEEP && head * 2 > list.length) {
      list.splice(0, head)
      this.#head = 0
    }
  }

  /** The open waits, oldest first. */
  open(): WaitStartEvent[] {
    this.#sweep()
    return [...this.#list, ...this.#byId.values()].sort((a, b) => a.waitId - b.waitId)
  }

  /** Drops every ended wait from the list, in place. */
  #sweep(): void {
    const list = this.#list
    let kept = 0
    for (let index = this.#head; index < list.length; index++) {
      const event = list[index]
      if (event !== undefined && event.ended !== true) list[kept++] = event
    }
    list.length = kept
    this.#head = 0
    this.#loose = 0
  }
}
