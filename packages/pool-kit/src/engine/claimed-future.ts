/**
 * The future of work under the `claims` policy: a worker claims work it was sent ahead on its
 * own, through shared memory, without a message; so reading the future's state reads the claim
 * word first, and `cancel()` of work sent ahead races the worker for it (exactly one wins).
 *
 * @module
 */
import { Future } from '@x/future'
import type { FutureState } from '@x/future'
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
 * A future the engine made for a work item: it knows its item, so one done-callback per engine
 * (not a closure per call) finds the work a cancel concerns.
 * @since 0.1.0
 */
export class EngineFuture<T = unknown> extends Future<T> {
  /** @internal its work item, once it exists */
  item: EngineItem | undefined
}

/**
 * A future whose state follows its claim word.
 * @since 0.1.0
 */
export class ClaimedFuture<T = unknown> extends EngineFuture<T> {
  readonly #owner: ClaimOwner

  constructor(owner: ClaimOwner, name: string | undefined) {
    super({ name })
    this.#owner = owner
  }

  override get state(): FutureState {
    if (this.item !== undefined) this.#owner.sync(this.item)
    return super.state
  }

  override running(): boolean {
    if (this.item !== undefined) this.#owner.sync(this.item)
    return super.running()
  }

  override toString(): string {
    if (this.item !== undefined) this.#owner.sync(this.item)
    return super.toString()
  }

  override cancel(): boolean {
    const item = this.item
    if (item?.state === 'sent') return this.#owner.cancelSent(item)
    return super.cancel()
  }

  /** @internal cancels here, the work being the engine's already */
  cancelHere(): boolean {
    return super.cancel()
  }
}
