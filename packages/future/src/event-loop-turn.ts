/**
 * Letting the event loop turn while a consumer takes results that are all ready: a `for await`
 * over values that are there runs on promise reactions alone (microtasks), and the event loop
 * polls for I/O only once the consumer waits for one that is not. A process pool's children
 * then wait for the work written to them (what does not fit in the IPC socket's buffer is
 * written from the event loop), and their results wait in the socket, until the consumer runs
 * dry: it then sleeps through a round trip it could have overlapped (issue 13, W4 on the process
 * pool: the parent thread slept 15-33 ms of a 50-80 ms map).
 *
 * @module
 */

/** How long a consumer may take ready results before the event loop gets a turn (ms). */
export const TURN_MS = 1

// (taken as this module loads: a test's fake timers, installed later, do not hold the turn back)
const schedule: (callback: () => void) => unknown = typeof setImmediate === 'function' ? setImmediate : (callback) => setTimeout(callback, 0)

/** Resolves from the event loop's next turn, after it polled for I/O (`setImmediate`). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    schedule(resolve)
  })
}
