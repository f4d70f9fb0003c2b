/**
 * Forwarded waits inside a worker thread (internal): a task waiting on nested futures publishes
 * `wait:start` here; it is forwarded to the coordinator so the deadlock detector sees it.
 *
 * @internal
 * @module
 */
import diagnosticsChannel from 'node:diagnostics_channel'
import { channelNames } from '@x/future'
import type { WaitEndEvent, WaitStartEvent } from '@x/future'
import { proxyIds } from './worker-nested.js'
import type { Poster } from './worker-nested.js'

/** Local wait id → its reject(). */
export const forwardedWaits = new Map<number, (error: Error) => void>()
let on = false
let current: () => Poster | undefined = () => undefined

function onWaitStart(message: unknown): void {
  const event = message as WaitStartEvent
  const session = current()
  if (session === undefined) return
  const ids: number[] = []
  for (const id of event.futureIds) {
    const localId = proxyIds.get(id)
    if (localId !== undefined) ids.push(localId)
  }
  if (ids.length === 0) return
  forwardedWaits.set(event.waitId, event.reject)
  session.post(['waitStart', event.waitId, event.taskId, ids, event.mode, event.timeout, event.stack])
}

function onWaitEnd(message: unknown): void {
  const event = message as WaitEndEvent
  if (!forwardedWaits.delete(event.waitId)) return
  current()?.post(['waitEnd', event.waitId, event.reason])
}

/** Forwards waits while the coordinator says someone listens; `session` is the worker's session now. */
export function setDiagnostics(enabled: boolean, session: () => Poster | undefined): void {
  current = session
  if (enabled === on) return
  on = enabled
  if (on) {
    diagnosticsChannel.subscribe(channelNames.waitStart, onWaitStart)
    diagnosticsChannel.subscribe(channelNames.waitEnd, onWaitEnd)
  } else {
    diagnosticsChannel.unsubscribe(channelNames.waitStart, onWaitStart)
    diagnosticsChannel.unsubscribe(channelNames.waitEnd, onWaitEnd)
  }
}


/** Whether waits are forwarded now. */
export function diagnosticsOn(): boolean {
  return on
}
