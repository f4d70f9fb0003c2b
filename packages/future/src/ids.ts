let nextFutureId = 1
let nextExecutorId = 1
let nextWaitIdValue = 1

/** @internal */
export function allocateFutureId(): number {
  return nextFutureId++
}

/** @internal */
export function allocateExecutorId(): number {
  return nextExecutorId++
}

/**
 * A fresh id for a `wait:start` event. Backends that republish waits made inside their workers
 * on the coordinator thread use it, so wait ids stay unique per process.
 *
 * @since 0.1.0
 */
export function newWaitId(): number {
  return nextWaitIdValue++
}
