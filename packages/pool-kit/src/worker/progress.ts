/**
 * `currentTask().progress(value)` in a worker: the latest value goes to the pool at most once
 * per {@link PROGRESS_INTERVAL_MS} (a tight loop reporting a million times sends a handful of
 * messages), and the last one goes before the task's result. A task that never reports sends
 * nothing.
 *
 * @module
 */
import { SerializationError } from '../errors.js'
import { messageOf } from './nested.js'
import type { WorkerLink } from './nested.js'

/**
 * At most one progress message per task per this many milliseconds (the latest value wins).
 * @since 0.1.0
 */
export const PROGRESS_INTERVAL_MS = 10

/**
 * One task's progress reports on their way to the pool.
 * @since 0.1.0
 */
export class ProgressSender {
  readonly #id: number
  readonly #name: string | undefined
  readonly #link: WorkerLink
  #lastSent = -Infinity
  #pending = false
  #value: unknown = undefined
  #timer: NodeJS.Timeout | undefined
  #error: SerializationError | undefined

  constructor(id: number, name: string | undefined, link: WorkerLink) {
    this.#id = id
    this.#name = name
    this.#link = link
  }

  /**
   * Keeps `value` as the latest report; sends it now when the interval since the last message
   * has passed, else when it has.
   * @throws {SerializationError} the value cannot be copied (when it is sent at once).
   */
  report(value: unknown): void {
    this.#value = value
    this.#pending = true
    const now = performance.now()
    const wait = PROGRESS_INTERVAL_MS - (now - this.#lastSent)
    if (wait <= 0) {
      this.#send(now)
      if (this.#error !== undefined) {
        const error = this.#error
        this.#error = undefined
        throw error
      }
      return
    }
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined
        this.#send(performance.now())
      }, wait)
      this.#timer.unref()
    }
  }

  /**
   * The task ended: sends the report still waiting (before the result goes). Returns the
   * error of a report that could not be sent after the call that made it had returned.
   */
  finish(): SerializationError | undefined {
    this.#send(performance.now())
    return this.#error
  }

  #send(now: number): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer)
      this.#timer = undefined
    }
    if (!this.#pending) return
    this.#pending = false
    this.#lastSent = now
    const value = this.#value
    this.#value = undefined
    try {
      this.#link.send({ type: 'progress', id: this.#id, value })
    } catch (error) {
      const what = this.#name === undefined ? `task #${String(this.#id)}` : `task "${this.#name}" (#${String(this.#id)})`
      this.#error ??= new SerializationError(
        `a progress value of ${what} cannot be sent to ${this.#link.peer}: ${messageOf(error)}. ` +
          `Report values that structured clone can copy (numbers, strings, plain objects, arrays, ...).`,
        { cause: error, code: this.#link.serializationCode },
      )
    }
  }
}
