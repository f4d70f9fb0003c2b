/**
 * A `submitWith({ signal })` signal linked to its future: aborting it cancels the future while it
 * is PENDING, and asks the worker to abort the running task after that.
 *
 * @module
 */
import type { Future } from '@x/future'

/** Links `signal` to `future` until it is done; `abortRunning(reason)` reaches the running task. */
export function linkSignal(signal: AbortSignal | undefined, future: Future, abortRunning: (reason: unknown) => void): void {
  if (signal === undefined) return
  if (signal.aborted) {
    future.cancel()
    return
  }
  const onAbort = (): void => {
    if (!future.cancel() && !future.done()) abortRunning(signal.reason)
  }
  signal.addEventListener('abort', onAbort, { once: true })
  future.addDoneCallback(() => {
    signal.removeEventListener('abort', onAbort)
  })
}
