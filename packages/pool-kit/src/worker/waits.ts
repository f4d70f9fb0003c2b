/**
 * Forwarded waits: a task that waits (`wait()`, `asCompleted()`, `await future`) on nested
 * futures publishes `wait:start` in its worker; the runtime forwards it to the pool, which
 * publishes it again with the pool's own future ids, so the deadlock detector in the main
 * thread sees the wait. Only while the pool says someone listens (`diag`).
 *
 * @module
 */
import { channelNames } from '@x/future/runtime'
import type { WaitEndEvent, WaitStartEvent } from '@x/future'
import type { WorkerLink } from './nested.js'

/**
 * Subscribes to the worker's wait events and forwards those on nested futures (`refOf`: a nested
 * future's ref by its id, `undefined` for any other future).
 * @returns `reject(waitId, error)`: the pool's detector rejects a forwarded wait
 * @since 0.1.0
 */
export function forwardWaits(
  link: WorkerLink,
  refOf: (futureId: number) => number | undefined,
  diag: () => boolean,
): (waitId: number, error: Error) => void {
  const rejects = new Map<number, (error: Error) => void>()
  const diagnosticsChannel = process.getBuiltinModule('node:diagnostics_channel')
  diagnosticsChannel.subscribe(channelNames.waitStart, (message) => {
    if (!diag()) return
    const event = message as WaitStartEvent
    const refs: number[] = []
    for (const id of event.futureIds) {
      const ref = refOf(id)
      if (ref !== undefined) refs.push(ref)
    }
    if (refs.length === 0) return
    rejects.set(event.waitId, event.reject)
    link.send({ type: 'wait', waitId: event.waitId, taskId: event.taskId, refs, mode: event.mode, timeout: event.timeout, stack: event.stack })
  })
  diagnosticsChannel.subscribe(channelNames.waitEnd, (message) => {
    const event = message as WaitEndEvent
    if (!rejects.delete(event.waitId)) return
    link.send({ type: 'waitEnd', waitId: event.waitId, reason: event.reason })
  })
  return (waitId, error) => {
    // the wait then ends ('rejected'): the waitEnd listener above forwards that, and forgets it
    rejects.get(waitId)?.(error)
  }
}
