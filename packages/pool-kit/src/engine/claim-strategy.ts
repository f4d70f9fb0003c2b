/**
 * How work is claimed, the engine's one plug-in for it: how the pool learns whether work it sent
 * ahead to a worker has started. Two policies:
 * - `sentMeansStarted` (child processes): once sent, work counts as started (RUNNING, no longer
 *   cancellable), as CPython's process pool treats its call queue; after a death, the
 *   transport's `startedAt` says which of it really started;
 * - `claims` (threads): one {@link ClaimWords} slot per item sent; the worker claims it just
 *   before it runs it, so work sent ahead stays PENDING and cancellable until then, and after a
 *   death (or when another worker goes idle) the pool takes back every item not claimed.
 *
 * @module
 */
import type { ClaimPolicy, ClaimWords } from '../claims.js'
import { CLAIM_RUNNING } from '../claims.js'
import { splitDeadWorker } from '../dead-worker.js'
import type { DeadWorkerSplit } from '../dead-worker.js'
import type { EngineItem } from './worker-record.js'

/**
 * What happened when an item was handed to a worker: `sent`; `full` (no claim word free: keep it
 * queued, try again after results); `cancelled` (its future was cancelled meanwhile: drop it).
 * @since 0.1.0
 */
export type SendOutcome = 'sent' | 'full' | 'cancelled'

/**
 * A claim policy, as the engine uses it.
 * @since 0.1.0
 */
export interface ClaimStrategy {
  /** Which policy. */
  readonly policy: ClaimPolicy
  /** The claim words (the `claims` policy): the transport passes them to its workers. */
  readonly words: ClaimWords | undefined
  /** Sending counts as starting: the engine announces work as it reaches the head of its worker. */
  readonly sentMeansStarted: boolean
  /** The item leaves the queue for a worker. */
  send(item: EngineItem): SendOutcome
  /** Whether the worker has claimed the item (it runs, or ran). */
  claimed(item: EngineItem): boolean
  /** When the worker claimed it (`performance.now()` here), when known. */
  startedAt(item: EngineItem): number | undefined
  /** Takes back work sent and not started: `true` when its worker will skip it. */
  takeBack(item: EngineItem): boolean
  /** The item is done with its worker: free what it held. */
  release(item: EngineItem): void
  /**
   * The work a dead worker held, split (see `splitDeadWorker`); `startedAt` asks the transport
   * (the `sentMeansStarted` policy only).
   */
  splitDead(held: readonly EngineItem[], startedAt: () => number | undefined): DeadWorkerSplit<EngineItem>
}

/**
 * The `sentMeansStarted` policy (child processes).
 * @since 0.1.0
 */
export function sentMeansStarted(): ClaimStrategy {
  return {
    policy: 'sentMeansStarted',
    words: undefined,
    sentMeansStarted: true,
    send(item) {
      // A task taken back from a dead worker is RUNNING already.
      return item.future.running() || item.future.setRunningOrNotifyCancel() ? 'sent' : 'cancelled'
    },
    claimed: () => true,
    startedAt: () => undefined,
    takeBack: () => false,
    release: () => undefined,
    splitDead: (held, startedAt) => splitDeadWorker(held, startedAt()),
  }
}

/**
 * The `claims` policy (threads) over `words`.
 * @since 0.1.0
 */
export function claimWordsPolicy(words: ClaimWords): ClaimStrategy {
  return {
    policy: 'claims',
    words,
    sentMeansStarted: false,
    send(item) {
      if (item.future.done()) return 'cancelled'
      const slot = words.allocate()
      if (slot === -1) return 'full'
      item.slot = slot
      item.ticket = words.ticket(slot)
      return 'sent'
    },
    claimed: (item) => item.slot >= 0 && words.read(item.slot) === CLAIM_RUNNING,
    startedAt: (item) => (item.slot >= 0 ? words.startedAt(item.slot) : undefined),
    takeBack: (item) => item.slot >= 0 && words.claimCancel(item.slot),
    release(item) {
      words.release(item.slot)
      item.slot = -1
    },
    splitDead(held) {
      const running: EngineItem[] = []
      const unstarted: EngineItem[] = []
      for (const item of held) (this.takeBack(item) ? unstarted : running).push(item)
      return { finished: [], running, unstarted }
    },
  }
}
