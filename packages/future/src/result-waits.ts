/**
 * The pending waits of `result()`/`exception()` on a future: the one that untimed waits share
 * ({@link SharedWait}) and each of the others ({@link ResultWait}: timed, or inside a task while
 * someone listens to wait events). The future holds them in two fields under these symbols (no
 * object per future to hold them); this module makes, drops and settles them.
 *
 * @internal
 * @module
 */
import { channels } from './channels.js'
import { SharedWait } from './shared-wait.js'
import type { SharingFuture } from './shared-wait.js'
import { runningTaskId } from './task-storage.js'
import { kDirectThens, settleDirectThens } from './direct-then.js'
import type { DirectThenHolder } from './direct-then.js'
import { kFailed, kOutcome } from './future-hooks.js'
import { ResultWait, cancelledErrorOf, publishWaitEvent, timeoutErrorOf } from './wait-events.js'
import type { WaitedFuture } from './wait-events.js'

/** @internal The future's shared wait, while it is pending and someone awaits it untimed. */
export const kSharedWait: unique symbol = Symbol('sharedWait')
/** @internal The future's other pending waits. */
export const kResultWaits: unique symbol = Symbol('resultWaits')

/** What holds the waits: a future. */
export interface WaitHolder extends WaitedFuture, SharingFuture, DirectThenHolder {
  [kSharedWait]: SharedWait | undefined
  [kResultWaits]: ResultWait[] | undefined
}

/**
 * The wait untimed waits share, made (and published, while someone listens) by the first;
 * `undefined` inside a task while someone listens: those get their own ({@link resultWait}).
 */
export function sharedWait(future: WaitHolder): SharedWait | undefined {
  const listening = channels.waitStart.hasSubscribers
  if (listening && runningTaskId() !== undefined) return undefined
  let shared = future[kSharedWait]
  if (shared === undefined) {
    shared = future[kSharedWait] = new SharedWait(future)
    if (listening) publishWaitEvent(shared)
  }
  return shared
}

/** A subscriber rejected the shared wait: the next untimed wait makes a new one. */
export function dropSharedWait(future: WaitHolder, wait: SharedWait): void {
  if (future[kSharedWait] === wait) future[kSharedWait] = undefined
}

/** One promise for one wait: settled once the future is done (cancelled included). */
export function resultWait(future: WaitHolder, timeout: number | undefined, exception: boolean): Promise<unknown> {
  if (timeout !== undefined && timeout <= 0) return Promise.reject(timeoutErrorOf(future, timeout))
  let pending!: ResultWait
  const promise = new Promise((resolve, reject) => {
    pending = new ResultWait(future, exception, timeout === Infinity ? undefined : timeout, resolve, reject)
  })
  const waits = future[kResultWaits]
  if (waits === undefined) future[kResultWaits] = [pending]
  else waits.push(pending)
  if (pending.timeout !== undefined) pending.startTimer()
  if (channels.waitStart.hasSubscribers) publishWaitEvent(pending)
  return promise
}

/** A pending wait gave up (timeout, or rejected by a subscriber). */
export function removeResultWait(future: WaitHolder, pending: ResultWait): void {
  const waits = future[kResultWaits]
  const index = waits?.indexOf(pending) ?? -1
  if (index >= 0) waits?.splice(index, 1)
}

/** The future is done: every pending wait learns how (then the direct thens of `await`, direct-then.ts). */
export function settleWaits(future: WaitHolder, cancelled: boolean, failed: boolean, value: unknown, error: unknown): void {
  const shared = future[kSharedWait]
  if (shared !== undefined) {
    future[kSharedWait] = undefined
    shared.settle(cancelled, failed, value, error)
  }
  const waits = future[kResultWaits]
  if (waits !== undefined) {
    future[kResultWaits] = undefined
    for (const wait of waits) wait.settle(cancelled, failed, value, error)
  }
  if (future[kDirectThens] !== undefined) {
    settleDirectThens(future, cancelled || failed, cancelled ? cancelledErrorOf(future) : failed ? error : value)
  }
}

/** What a done future's `result()` returns: its value, or a rejection with its error. */
export function settledResult(future: WaitHolder & DoneFuture): Promise<unknown> {
  if (future.cancelled()) return Promise.reject(cancelledErrorOf(future))
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a task may throw any value, and result() rejects with exactly that value
  return future[kFailed] ? Promise.reject(future[kOutcome]) : Promise.resolve(future[kOutcome])
}

/** What a done future's `exception()` returns: its error, or `undefined` when it succeeded. */
export function settledException(future: WaitHolder & DoneFuture): Promise<unknown> {
  if (future.cancelled()) return Promise.reject(cancelledErrorOf(future))
  return Promise.resolve(future[kFailed] ? future[kOutcome] : undefined)
}

/** What {@link settledResult} reads of a done future. */
interface DoneFuture {
  cancelled(): boolean
  readonly [kFailed]: boolean
  readonly [kOutcome]: unknown
}
