/**
 * `submitWith({ signal })`: an abort cancels a queued future; for work on a worker it is
 * forwarded (the task sees `currentTask().signal` abort), and a task still running
 * `abortGracePeriod` ms later loses its worker: its future fails with the abort reason, and
 * what was sent ahead behind it goes to another worker (recovery, `lifecycle.ts`).
 *
 * @module
 */
import { serializeError } from '@x/future'
import type { EngineState as PoolEngine } from './engine-state.js'
import { MAX_TIMER } from './limits.js'
import type { EngineItem, WorkerRecord } from './worker-record.js'

/** The item's signal aborted. */
export function onAbort<H>(engine: PoolEngine<H>, item: EngineItem): void {
  const worker = item.worker
  if (item.state === 'queued' || worker === undefined) {
    item.future.cancel()
    return
  }
  // claims policy: work sent ahead and not claimed is cancelled like queued work
  if (item.state === 'sent' && !engine.claims.sentMeansStarted && item.future.cancel()) return
  if (worker.life === 'gone') return
  sendAbort(engine, worker, item)
  // A task sent ahead gets its grace period once it runs (see announce()).
  if (item.announced) armGrace(engine, item, worker)
}

/** Tells the worker its task was aborted. */
export function sendAbort<H>(engine: PoolEngine<H>, worker: WorkerRecord, item: EngineItem): void {
  const handle = worker.handle as H
  try {
    engine.transport.send(handle, { type: 'abort', id: item.future.id, reason: serializeError(item.signal?.reason) })
  } catch {
    // the reason could not be sent: abort with a plain one
    engine.transport.send(handle, { type: 'abort', id: item.future.id, reason: serializeError(new Error('aborted')) })
  }
}

/** Ends the worker if the aborted task is still running `abortGracePeriod` ms from now. */
export function armGrace<H>(engine: PoolEngine<H>, item: EngineItem, worker: WorkerRecord): void {
  const grace = engine.options.abortGracePeriod
  if (item.graceTimer !== undefined || grace === Infinity) return
  item.graceTimer = setTimeout(() => {
    item.graceTimer = undefined
    if (worker.life === 'gone' || worker.killedFor !== undefined || !worker.held.has(item.future.id)) return
    // Its future fails with the reason once the worker has exited (recovery), its last results first.
    worker.killedFor = { item, reason: item.signal?.reason }
    engine.transport.kill(worker.handle as H, 'SIGKILL')
  }, Math.min(grace, MAX_TIMER))
  // The worker is referenced while it has work: this timer need not keep the process alive.
  item.graceTimer.unref()
}

/** What a done item's `args` becomes (frozen: nothing may add to it). */
const NO_ARGS: unknown[] = Object.freeze([]) as unknown as unknown[]

/**
 * The item is done: with its signal and grace timer, and with its arguments and transferred
 * buffers, which a settled future (kept by its caller, or by `wait()`'s sets) must not keep alive.
 */
export function detach(item: EngineItem): void {
  item.args = NO_ARGS
  item.transfer = undefined
  if (item.onAbort !== undefined) {
    item.signal?.removeEventListener('abort', item.onAbort)
    item.onAbort = undefined
  }
  if (item.graceTimer !== undefined) {
    clearTimeout(item.graceTimer)
    item.graceTimer = undefined
  }
}
