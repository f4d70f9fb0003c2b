/**
 * One socket write per event-loop turn for a connection's commands: a worker's connection sends,
 * for every job that ends or starts, BullMQ's completion and fetch and our start and finish
 * scripts, each its own `write()` (a system call, and on a local Redis the loopback delivery too).
 * Jobs that end in the same turn (one Redis reply holds many) then share one write. The worker's
 * scripts go one step further: the starts (and the finishes) of a turn become one script call,
 * made just before the turn's write goes out ({@link TurnWrites.atTurnEnd}).
 *
 * @module
 */
import { Redis } from 'ioredis'
import type { Socket } from 'node:net'

/** A connection whose writes go out once per turn (see {@link batchWrites}). */
export interface TurnWrites {
  /**
   * Calls `flush` at the end of this event-loop turn, just before the turn's commands go out, so
   * the commands it sends join them in the same write. Once per call.
   */
  atTurnEnd(flush: () => void): void
}

/**
 * Corks `redis`'s socket at the first command sent in a turn and uncorks it in that turn's check
 * phase (`setImmediate`): the commands go out together, in order, a fraction of a millisecond later
 * at most. Survives reconnects (the socket is looked up on each command).
 */
export function batchWrites(redis: Redis): TurnWrites {
  let corked: Socket | undefined
  let scheduled = false
  const flushes: (() => void)[] = []
  const endTurn = (): void => {
    // still `scheduled`: what the flushes send is corked with the rest, and goes out below
    for (const flush of flushes) flush()
    flushes.length = 0
    scheduled = false
    const socket = corked
    corked = undefined
    socket?.uncork()
  }
  const schedule = (): void => {
    if (scheduled) return
    scheduled = true
    setImmediate(endTurn)
  }
  type Send = Redis['sendCommand']
  const send: Send = function (this: Redis, ...args: Parameters<Send>) {
    const socket = (this as unknown as { stream?: Socket }).stream
    if (corked === undefined && socket?.writable === true && args[1] === undefined) {
      corked = socket
      socket.cork()
      schedule()
    }
    // looked up on each call: whoever wraps the prototype's (a test counting commands) still sees them
    return Redis.prototype.sendCommand.apply(this, args)
  }
  redis.sendCommand = send
  return {
    atTurnEnd(flush) {
      flushes.push(flush)
      schedule()
    },
  }
}
