/**
 * Progress of a running call, from the task (`currentTask().progress(value)`) to the submitter
 * (`future.onProgress(listener)`). Reports are coalesced: a task may report in a tight loop, and
 * listeners get the latest value at most once per turn of the event loop, plus the last one
 * before the future is done; never after.
 *
 * @module
 */
import { describeValue } from './errors.js'

/**
 * A function called with each progress value a task reports.
 *
 * @since 0.1.0
 */
export type ProgressListener = (value: unknown) => void

/** What the progress channel needs of its future. */
export interface ProgressOwner {
  done(): boolean
  toString(): string
}

/** @internal One future's progress listeners and the value waiting to be delivered. */
export class ProgressChannel {
  readonly #owner: ProgressOwner
  #listeners: ProgressListener[] = []
  #pending = false
  #value: unknown = undefined
  #scheduled: NodeJS.Immediate | undefined

  constructor(owner: ProgressOwner) {
    this.#owner = owner
  }

  add(listener: ProgressListener): () => void {
    this.#listeners = [...this.#listeners, listener]
    let subscribed = true
    return () => {
      if (!subscribed) return
      subscribed = false
      this.#listeners = this.#listeners.filter((l) => l !== listener)
      if (this.#listeners.length === 0) this.#cancelDelivery()
    }
  }

  /** A report from the task: kept, and delivered on the next turn (the latest value wins). */
  report(value: unknown): void {
    if (this.#owner.done() || this.#listeners.length === 0) return
    this.#value = value
    this.#pending = true
    this.#scheduled ??= setImmediate(() => {
      this.#scheduled = undefined
      this.deliver()
    })
  }

  /** Delivers the pending value now (the future calls it just before it finishes). */
  deliver(): void {
    if (!this.#pending || this.#owner.done()) return
    this.#pending = false
    const value = this.#value
    this.#value = undefined
    for (const listener of this.#listeners) {
      try {
        listener(value)
      } catch (error) {
        reportCallbackError(`progress listener for ${this.#owner.toString()}`, error)
      }
    }
  }

  /** The future is done: no listener runs again. */
  close(): void {
    this.#cancelDelivery()
    this.#listeners = []
  }

  #cancelDelivery(): void {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled)
    this.#scheduled = undefined
    this.#pending = false
    this.#value = undefined
  }
}

/**
 * Reports a done-callback or progress listener that threw: a `FutureCallbackWarning` naming what
 * was called (`callback for <Future #3 ...>`) and the error, never an exception to the caller.
 */
export function reportCallbackError(what: string, error: unknown): void {
  const detail = error instanceof Error && error.stack !== undefined ? error.stack : describeValue(error)
  process.emitWarning(`exception calling ${what}: ${describeValue(error)}`, {
    type: 'FutureCallbackWarning',
    code: 'ERR_FUTURE_CALLBACK',
    detail,
  })
}

