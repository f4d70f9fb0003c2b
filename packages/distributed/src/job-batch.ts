/**
 * How PENDING futures reach BullMQ: how many jobs an executor may have handed over at once (its
 * window), and the batch of jobs being added, sent once per microtask in `addBulk` calls of up
 * to 1,000 jobs.
 *
 * @internal
 * @module
 */
import type { Item } from './item.js'

/**
 * Jobs handed to BullMQ ahead, per slot the live workers registered, when `maxWorkers` is not
 * given. They wait in BullMQ, RUNNING in the executor (as CPython's process pool puts
 * `max_workers + 1` calls in its call queue, RUNNING, so `cancel()` returns false for them): a
 * worker that finishes a job fetches the next one in the same request (BullMQ's `moveToFinished`)
 * instead of idling until the executor has learnt of the result and added the next, and each
 * wake-up of the three processes handles a larger batch. Those jobs cannot run before a slot
 * frees, so the cluster runs no more of the executor's jobs at once than it has slots. An
 * explicit `maxWorkers` (a share of the cluster) stays exact: nothing is sent ahead. Measured on
 * a 2-core machine, one worker of 16 slots, 2,000 tiny jobs at once: CPU per job of the three
 * processes 1.7-1.8x raw BullMQ's with one job ahead per slot, 1.3-1.4x with two, no lower with three.
 */
const AHEAD_PER_SLOT = 2

/** Jobs one `addBulk` call adds at most. */
const BULK = 1000

/**
 * How many jobs may be handed to BullMQ at once: `maxWorkers` when given (the executor's share
 * of the cluster, exact), else the live capacity plus {@link AHEAD_PER_SLOT} jobs per slot.
 */
export function windowSize(maxWorkers: number | undefined, liveCapacity: number): number {
  return maxWorkers ?? liveCapacity * (1 + AHEAD_PER_SLOT)
}

/** The jobs handed over and not added to BullMQ yet. */
export class JobBatch {
  #items: Item[] = []
  #flushing = false
  readonly #add: (items: Item[]) => Promise<void> | undefined
  readonly #failed: (item: Item, error: unknown) => void

  /**
   * @param add adds jobs to BullMQ (`undefined` when there is no connection to add them on)
   * @param failed an item whose job could not be added
   */
  constructor(add: (items: Item[]) => Promise<void> | undefined, failed: (item: Item, error: unknown) => void) {
    this.#add = add
    this.#failed = failed
  }

  /** Adds `item` to the next `addBulk` (call {@link JobBatch.schedule} after). */
  push(item: Item): void {
    this.#items.push(item)
  }

  /** Sends what was pushed, in a microtask (once, however many were pushed in this turn). */
  schedule(): void {
    if (this.#items.length > 0 && !this.#flushing) {
      this.#flushing = true
      queueMicrotask(() => void this.#flush())
    }
  }

  async #flush(): Promise<void> {
    try {
      while (this.#items.length > 0) {
        const items = this.#items.splice(0, BULK)
        try {
          await this.#add(items)
          const now = performance.now()
          for (const item of items) item.addedAt = now
        } catch (error) {
          for (const item of items) this.#failed(item, error)
        }
      }
    } finally {
      this.#flushing = false
    }
  }
}
