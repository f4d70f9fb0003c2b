/**
 * The future of work under the `claims` policy: a worker claims work it was sent ahead on its
 * own, through shared memory, without a message; so reading the future's state reads the claim
 * word first, and `cancel()` of work sent ahead races the worker for it (exactly one wins).
 *
 * @module
 */
import { Future } from '@x/future'
import type { CancelHook, FutureState } from '@x/future'
import type { EngineItem } from './worker-record.js'

/**
 * What a claimed future asks its engine.
 * @since 0.1.0
 */
export interface ClaimOwner {
  /** Reads the item's claim word: a claimed item becomes RUNNING (asked only while the item is `sent`). */
  sync(item: EngineItem): void
  /** Takes the item back from its worker and cancels it; `false` when the worker claimed it first. */
  cancelSent(item: EngineItem): boolean
}

/**
 * A future whose state follows its claim word.
 * @since 0.1.0
 */
export class ClaimedFuture<T = unknown> extends Future<T> {
  /** @internal its work item (also its cancel hook) */
  readonly item: EngineItem & CancelHook
  readonly #owner: ClaimOwner

  constructor(owner: ClaimOwner, name: string | undefined, item: EngineItem & CancelHook) {
    super({ name, cancelHook: item })
    this.#owner = owner
    this.item = item
  }

  // (only work sent ahead has a claim word to read: queued and running work, most reads, skip the
  // owner's call, which would find nothing to do)
  override get state(): FutureState {
    if (this.item.state === 'sent') this.#owner.sync(this.item)
    return super.state
  }

  override running(): boolean {
    if (this.item.state === 'sent') this.#owner.sync(this.item)
    return super.running()
  }

  override toString(): string {
    if (this.item.state === 'sent') this.#owner.sync(this.item)
    return super.toString()
  }

  override cancel(): boolean {
    const item = this.item
    if (item.state === 'sent') return this.#owner.cancelSent(item)
    return super.cancel()
  }

  /** @internal cancels here, the work being the engine's already */
  cancelHere(): boolean {
    return super.cancel()
  }
}
