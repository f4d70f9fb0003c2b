/**
 * `currentTask()` inside a worker: the task's id (its future id in the pool), name, abort signal,
 * progress reports and the nested executor.
 *
 * @module
 */
import type { Executor, TaskContext } from '@x/future'
import type { WorkerLink } from './nested.js'
import { ProgressSender } from './progress.js'
import type { SerializationError } from '../errors.js'

/**
 * The context of a task running in a worker. Its signal is made on first use (most tasks never
 * read it); an abort that came before the task started is applied at once.
 * @since 0.1.0
 */
export class WorkerTaskContext implements TaskContext {
  // One context is made per task, and it is what `currentTask()` returns to user code: only the
  // documented fields (`id`, `name`; `signal`, `executor`, `progress` on the prototype) may be own
  // enumerable properties (`Object.keys`, `console.log`, `JSON.stringify` show them; the runtime
  // they would reach is circular). The internals are `#` fields. In V8's unoptimized tiers, where
  // a worker runs its first thousand-odd tasks, each `#` field defined or read is a keyed access
  // of a private symbol, dearer than a named one: so there are few, defined in one order (one
  // shape), the lazily made ones included.
  /** The task's future id in the pool. */
  declare readonly id: number
  /** The task's name. */
  declare readonly name: string | undefined
  readonly #runtime: { readonly executor: Executor }
  readonly #link: WorkerLink | undefined
  #controller: AbortController | undefined
  #reason: unknown
  #aborted: boolean
  #progress: ProgressSender | undefined
  #ended: boolean

  /**
   * @param runtime whose `executor` is the task's (read on first use)
   * @param abortReason the reason of an abort that arrived before the task started, if any
   * @param link where progress reports go (without it, `progress()` does nothing)
   */
  constructor(id: number, name: string | undefined, runtime: { readonly executor: Executor }, abortReason?: unknown, link?: WorkerLink) {
    this.id = id
    this.name = name
    this.#runtime = runtime
    this.#aborted = abortReason !== undefined
    this.#reason = abortReason
    this.#link = link
    this.#controller = undefined
    this.#progress = undefined
    this.#ended = false
  }

  /** Submits to the same pool (through the main side). */
  get executor(): Executor {
    return this.#runtime.executor
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

  /**
   * Reports progress to the submitter's `future.onProgress()` listeners: the value is
   * structured-cloned; reports are coalesced (the latest value wins); ignored once the task ended.
   * @throws {SerializationError} the value cannot be copied.
   */
  progress(value: unknown): void {
    if (this.#ended || this.#link === undefined) return
    ;(this.#progress ??= new ProgressSender(this.id, this.name, this.#link)).report(value)
  }

  /**
   * The task ended: later progress calls are ignored, and the report still waiting is sent
   * now (before the result). Returns the error of a report that could not be sent, if any.
   */
  end(): SerializationError | undefined {
    this.#ended = true
    return this.#progress?.finish()
  }
}
