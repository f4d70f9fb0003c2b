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
  /** Reads the item's claim word: a claimed item becomes RUNNING. */
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

  override get state(): FutureState {
    this.#owner.sync(this.item)
    return super.state
  }

  override running(): boolean {
    this.#owner.sync(this.item)
    return super.running()
  }

  override toString(): string {
    this.#owner.sync(this.item)
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
