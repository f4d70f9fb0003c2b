/**
 * How an idle worker thread takes the pool's next message: once the runtime has nothing under
 * way, the thread blocks on its {@link WakeWord}, takes the message from its port synchronously
 * and handles it, and so on while it stays idle, for up to {@link IDLE_WAIT_MS} in all; then it
 * goes back to its event loop. A thread kept busy with one round trip after another thus takes
 * most of its messages without an event-loop wake-up or a 'message' event (issue 13, W2).
 *
 * What keeps this safe:
 * - it waits only while the runtime is idle (`WorkerRuntime.idle`): a task awaiting a promise, a
 *   stream waiting for credit or a task waiting on nested work goes on through the event loop,
 *   and the messages it needs (abort, credit, settle) come through the 'message' event;
 * - it gives the thread back to its event loop within {@link IDLE_WAIT_MS}, whether messages keep
 *   coming or not: the thread's timers, I/O and the promise callbacks its tasks left behind wait
 *   at most that long, and an idle thread never holds the process open (the pool's end of the
 *   port is what is referenced, and it is not while the thread has no work).
 *
 * It waits in the call stack that found the runtime idle (a 'message' event, or the promise
 * callback that finished the last task) rather than on a later loop turn: a loop turn per
 * message cost the thread ~15 µs of CPU per round trip, more than the wait saves.
 *
 * @internal
 * @module
 */
import type { MessagePort } from 'node:worker_threads'
import type { WakeWord } from './wake-word.js'

/**
 * The longest an idle thread keeps waiting for and handling messages before it goes back to its
 * event loop (ms). A round trip to the main thread and back takes ~20-120 µs, so a pool that
 * submits again as soon as it has a result finds the thread waiting.
 */
export const IDLE_WAIT_MS = 1

/** Takes messages for an idle thread; see the module description. */
export class IdleReceiver {
  readonly #port: MessagePort
  readonly #word: WakeWord
  readonly #handle: (message: unknown) => void
  readonly #idle: () => boolean
  #waiting = false

  /**
   * @param handle handles one message (the entry's handler, as for a 'message' event)
   * @param idle whether the runtime has nothing under way
   */
  constructor(port: MessagePort, word: WakeWord, handle: (message: unknown) => void, idle: () => boolean) {
    this.#port = port
    this.#word = word
    this.#handle = handle
    this.#idle = idle
  }

  /**
   * Something was handled: while the runtime is idle, wait for the next message and handle it
   * here, for up to {@link IDLE_WAIT_MS}. (Called again from a message it handles, it returns.)
   */
  check(): void {
    if (this.#waiting || !this.#idle()) return
    this.#waiting = true
    try {
      const end = performance.now() + IDLE_WAIT_MS
      for (let left = IDLE_WAIT_MS; left > 0 && this.#idle(); left = end - performance.now()) {
        const entry = this.#word.take(this.#port, left)
        if (entry === undefined) break
        this.#handle(entry.message)
      }
    } finally {
      this.#waiting = false
    }
  }
}
