/**
 * Announcing work as started: RUNNING (under the claims policy, timed from when the worker
 * claimed it), and the `future:start` event. A worker runs its tasks one at a time, in the order
 * sent: the first one starts when sent, the ones sent ahead when they reach its head.
 *
 * @module
 */
import { channels } from '@x/future'
import type { FutureStartEvent } from '@x/future'
import { armGrace } from './abort.js'
import type { EngineState as PoolEngine } from './engine-state.js'
import type { EngineItem, WorkerRecord } from './worker-record.js'

/**
 * Its worker runs the task now (or ran it): RUNNING (under the claims policy, timed from when
 * the worker claimed it), and future:start unless `publish` is false.
 */
export function announce<H>(engine: PoolEngine<H>, item: EngineItem, worker: WorkerRecord, publish = true): void {
  item.announced = true
  item.state = 'running'
  // (sentMeansStarted: RUNNING since it was sent)
  if (!item.future.done() && !item.future.running()) item.future.setRunningOrNotifyCancel(engine.claims.startedAt(item))
  if (item.signal?.aborted === true && item.onAbort !== undefined) armGrace(engine, item, worker)
  if (publish && channels.futureStart.hasSubscribers) {
    channels.futureStart.publish({ futureId: item.future.id, executorId: engine.options.executorId, workerId: worker.workerId } satisfies FutureStartEvent)
  }
}

/** The oldest task a worker holds is the one it runs: announce it once the ones before it are done. */
export function announceHead<H>(engine: PoolEngine<H>, worker: WorkerRecord): void {
  if (!engine.claims.sentMeansStarted) return
  for (const item of worker.held.values()) {
    if (!item.announced) announce(engine, item, worker)
    return
  }
}
