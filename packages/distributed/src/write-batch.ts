/**
 * One socket write per event-loop turn for a connection's commands: a worker's connection sends,
 * for every job that ends or starts, BullMQ's completion and fetch and our start and finish
 * scripts, each its own `write()` (a system call, and on a local Redis the loopback delivery too).
 * Jobs that end in the same turn (one Redis reply holds many) then share one write.
 *
 * @module
 */
import { Redis } from 'ioredis'
import type { Socket } from 'node:net'

/**
 * Corks `redis`'s socket at the first command sent in a turn and uncorks it in that turn's check
 * phase (`setImmediate`): the commands go out together, in order, a fraction of a millisecond later
 * at most. Survives reconnects (the socket is looked up on each command).
 */
export function batchWrites(redis: Redis): void {
  let corked: Socket | undefined
  const uncork = (): void => {
    const socket = corked
    corked = undefined
    socket?.uncork()
  }
  type Send = Redis['sendCommand']
  const send: Send = function (this: Redis, ...args: Parameters<Send>) {
    const socket = (this as unknown as { stream?: Socket }).stream
    if (corked === undefined && socket?.writable === true && args[1] === undefined) {
      corked = socket
      socket.cork()
      setImmediate(uncork)
    }
    // looked up on each call: whoever wraps the prototype's (a test counting commands) still sees them
    return Redis.prototype.sendCommand.apply(this, args)
  }
  redis.sendCommand = send
}
