/**
 * The engine's side of the `claims` policy (see `claim-strategy.ts`): reading a claim word into
 * the future's state, cancelling work sent ahead, and taking back work a worker has not claimed
 * (when a task of it waits on nested work, and when another worker goes idle: work stealing).
 * Under `sentMeansStarted` nothing here has anything to do.
 *
 * @module
 */
import { detach } from './abort.js'
import { ClaimedFuture } from './claimed-future.js'
import { announce } from './announce.js'
import type { EngineState as PoolEngine } from './engine-state.js'
import type { EngineItem, WorkerRecord } from './worker-record.js'

/** Reads the item's claim word: work its worker claimed is RUNNING from then on (future:start). */
export function syncClaim<H>(engine: PoolEngine<H>, item: EngineItem): void {
  if (engine.claims.sentMeansStarted || item.state !== 'sent' || item.announced || item.worker === undefined) return
  if (engine.claims.claimed(item)) announce(engine, item, item.worker)
}

/** Reads the claim words of every item sent ahead (before `stats()` counts what runs). */
export function syncAllClaims<H>(engine: PoolEngine<H>): void {
  if (engine.claims.sentMeansStarted) return
  for (const worker of engine.workers) for (const item of worker.held.values()) syncClaim(engine, item)
}

/** `cancel()` of work sent ahead: wins when its worker has not claimed it. */
export function cancelSent<H>(engine: PoolEngine<H>, item: EngineItem): boolean {
  const future = item.future
  if (!(future instanceof ClaimedFuture)) return future.cancel()
  const worker = item.worker
  if (worker === undefined || !engine.claims.takeBack(item)) {
    syncClaim(engine, item)
    return future.cancelHere()
  }
  leave(engine, worker, item)
  item.state = 'done'
  detach(item)
  future.cancelHere()
  future.setRunningOrNotifyCancel()
  engine.afterResults(worker)
  return true
}

/**
 * Takes back up to `count` items `worker` has not claimed, newest first, and puts them at the
 * front of the queue in their order. Work that moved buffers (transfer) stays: it cannot be sent twice.
 */
export function reclaim<H>(engine: PoolEngine<H>, worker: WorkerRecord, count: number): void {
  if (engine.claims.sentMeansStarted) return
  const held = [...worker.held.values()]
  const taken: EngineItem[] = []
  for (let i = held.length - 1; i >= 0 && taken.length < count; i--) {
    const item = held[i]
    if (item?.state !== 'sent' || item.transfer !== undefined) continue
    if (!engine.claims.takeBack(item)) continue
    leave(engine, worker, item)
    item.state = 'queued'
    taken.push(item)
  }
  if (taken.length === 0) return
  engine.queue.unshiftAll(taken.reverse())
  engine.queued += taken.length
  engine.schedule()
}

/** Work stealing: `idle` has nothing left and the queue is empty: take half the unclaimed work of the busiest worker. */
export function steal<H>(engine: PoolEngine<H>, idle: WorkerRecord): void {
  if (engine.claims.sentMeansStarted || engine.queued > 0 || idle.life !== 'ready') return
  let busiest: WorkerRecord | undefined
  for (const worker of engine.workers) {
    if (worker !== idle && worker.life === 'ready' && worker.held.size > 1 && (busiest === undefined || worker.held.size > busiest.held.size)) busiest = worker
  }
  if (busiest !== undefined) reclaim(engine, busiest, Math.ceil((busiest.held.size - 1) / 2))
}

/** The item leaves its worker (it never started there). */
function leave<H>(engine: PoolEngine<H>, worker: WorkerRecord, item: EngineItem): void {
  worker.held.delete(item.future.id)
  worker.heldBytes -= item.heldShare
  worker.assigned-- // it never ran there: it does not count toward maxTasksPerWorker
  engine.inflight--
  engine.claims.release(item)
  item.worker = undefined
  item.announced = false
}
