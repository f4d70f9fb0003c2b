import { Future } from '../src/index.js'

/** The value a promise rejects with; fails the test when it resolves instead. */
export async function rejection(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection, but the promise resolved')
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** A promise and its resolver, released by the test. */
export function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void
  const promise = new Promise<T>((resolve) => {
    open = resolve
  })
  return { promise, open }
}

/** Python's util.py ready-made futures. */
export function futures(): {
  pending: Future<number>
  running: Future<number>
  cancelled: Future<number>
  cancelledAndNotified: Future<number>
  exception: Future<number>
  successful: Future<number>
  error: Error
} {
  const pending = new Future<number>()
  const running = new Future<number>()
  running.setRunningOrNotifyCancel()
  const cancelled = new Future<number>()
  cancelled.cancel()
  const cancelledAndNotified = new Future<number>()
  cancelledAndNotified.cancel()
  cancelledAndNotified.setRunningOrNotifyCancel()
  const exception = new Future<number>()
  const error = new Error('OSError')
  exception.setException(error)
  const successful = new Future<number>()
  successful.setResult(42)
  return { pending, running, cancelled, cancelledAndNotified, exception, successful, error }
}
