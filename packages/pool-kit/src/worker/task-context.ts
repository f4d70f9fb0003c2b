/**
 * `currentTask()` inside a worker: the task's id (its future id in the pool), name, abort signal
 * and the nested executor.
 *
 * @module
 */
import type { Executor, TaskContext } from '@x/future'

/**
 * The context of a task running in a worker. Its signal is made on first use (most tasks never
 * read it); an abort that came before the task started is applied at once.
 * @since 0.1.0
 */
export class WorkerTaskContext implements TaskContext {
  /** The task's future id in the pool. */
  readonly id: number
  /** The task's name. */
  readonly name: string | undefined
  /** Submits to the same pool (through the main side). */
  readonly executor: Executor
  #controller: AbortController | undefined
  #reason: unknown
  #aborted: boolean

  /**
   * @param abortReason the reason of an abort that arrived before the task started, if any
   */
  constructor(id: number, name: string | undefined, executor: Executor, abortReason?: unknown) {
    this.id = id
    this.name = name
    this.executor = executor
    this.#aborted = abortReason !== undefined
    this.#reason = abortReason
  }

  /** Aborts when the caller's `submitWith({ signal })` signal aborts. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController()
      if (this.#aborted) this.#controller.abort(this.#reason)
    }
    return this.#controller.signal
  }

  /** Whether the pool aborted this task. */
  get aborted(): boolean {
    return this.#aborted
  }

  /** The pool forwarded an abort. */
  abort(reason: unknown): void {
    this.#aborted = true
    this.#reason = reason
    this.#controller?.abort(reason)
  }
}
