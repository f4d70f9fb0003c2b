/**
 * The wake word: one 32-bit word of shared memory per worker thread, through which an idle
 * thread blocks on `Atomics.wait` for the pool's next message instead of sleeping in its event
 * loop, and the pool wakes it with `Atomics.notify` after posting (as piscina's workers wait
 * between tasks). It saves the thread an event-loop wake-up and a 'message' event per message
 * taken this way (issue 13, W2).
 *
 * The protocol (a futex, with the message port as the data):
 * - the thread stores WAITING, then looks at its port once more, then waits while the word is
 *   still WAITING; whatever happens it stores BUSY before it handles anything;
 * - the pool, after each post, turns WAITING into WOKEN and notifies; it does nothing while the
 *   word is BUSY (a busy thread will see the message on its own), so sending work to a busy
 *   thread costs one atomic read.
 * A post the pool made before the thread stored WAITING is on the port when the thread looks once
 * more; one made after finds WAITING, and WOKEN makes a wait that has not begun yet return at once.
 *
 * @internal
 * @module
 */
import { receiveMessageOnPort } from 'node:worker_threads'
import type { MessagePort } from 'node:worker_threads'

/** The thread is not waiting: a post needs no notify. */
const BUSY = 0
/** The thread waits (or is about to) on the word. */
const WAITING = 1
/** The pool posted while the thread waited, and notified it. */
const WOKEN = 2

/** One thread's wake word; each side builds its own view over the same `buffer`. */
export class WakeWord {
  /** The shared memory: the pool sends it to the thread in its session start. */
  readonly buffer: SharedArrayBuffer
  readonly #word: Int32Array

  /** @param buffer the pool's word (the thread's view), or `undefined` for a new one */
  constructor(buffer?: SharedArrayBuffer) {
    this.buffer = buffer ?? new SharedArrayBuffer(4)
    this.#word = new Int32Array(this.buffer, 0, 1)
  }

  /** Pool side, after each post to the thread: wakes it when it waits. */
  wake(): void {
    const word = this.#word
    if (Atomics.load(word, 0) === WAITING && Atomics.compareExchange(word, 0, WAITING, WOKEN) === WAITING) Atomics.notify(word, 0, 1)
  }

  /**
   * Thread side: the next message on `port`, waiting up to `ms` for one to be posted, or
   * `undefined` when none came. Blocks the thread (its event loop, timers, microtasks) meanwhile.
   */
  take(port: MessagePort, ms: number): { message: unknown } | undefined {
    const word = this.#word
    Atomics.store(word, 0, WAITING)
    let entry = receiveMessageOnPort(port)
    if (entry === undefined) {
      Atomics.wait(word, 0, WAITING, ms)
      entry = receiveMessageOnPort(port)
    }
    Atomics.store(word, 0, BUSY)
    return entry
  }
}
