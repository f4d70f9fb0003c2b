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
  // One context is made per task, and in V8's unoptimized tiers, where a worker runs its first
  // thousand-odd tasks, its fields cost: TypeScript-private, not `#` (each `#` field defined or
  // read is a keyed access of a private symbol; see WorkerRuntime's note), and declared only
  // (`declare`: no class field defined before the constructor stores it again), the constructor
  // storing every one in one order (one shape). Unoptimized, a context made, ended and asked
  // `aborted` took ~150 ns this way, ~240 ns as class fields, ~270 ns as `#` fields.
  /** The task's future id in the pool. */
  declare readonly id: number
  /** The task's name. */
  declare readonly name: string | undefined
  private declare readonly _runtime: { readonly executor: Executor }
  private declare readonly _link: WorkerLink | undefined
  private declare _controller: AbortController | undefined
  private declare _reason: unknown
  private declare _aborted: boolean
  private declare _progress: ProgressSender | undefined
  private declare _ended: boolean

  /**
   * @param runtime whose `executor` is the task's (read on first use)
   * @param abortReason the reason of an abort that arrived before the task started, if any
   * @param link where progress reports go (without it, `progress()` does nothing)
   */
  constructor(id: number, name: string | undefined, runtime: { readonly executor: Executor }, abortReason?: unknown, link?: WorkerLink) {
    this.id = id
    this.name = name
    this._runtime = runtime
    this._aborted = abortReason !== undefined
    this._reason = abortReason
    this._link = link
    this._controller = undefined
    this._progress = undefined
    this._ended = false
  }

  /** Submits to the same pool (through the main side). */
  get executor(): Executor {
    return this._runtime.executor
  }

  /** Aborts when the caller's `submitWith({ signal })` signal aborts. */
  get signal(): AbortSignal {
    if (this._controller === undefined) {
      this._controller = new AbortController()
      if (this._aborted) this._controller.abort(this._reason)
    }
    return this._controller.signal
  }

  /** Whether the pool aborted this task. */
  get aborted(): boolean {
    return this._aborted
  }

  /** The pool forwarded an abort. */
  abort(reason: unknown): void {
    this._aborted = true
    this._reason = reason
    this._controller?.abort(reason)
  }

  /**
   * Reports progress to the submitter's `future.onProgress()` listeners: the value is
   * structured-cloned; reports are coalesced (the latest value wins); ignored once the task ended.
   * @throws {SerializationError} the value cannot be copied.
   */
  progress(value: unknown): void {
    if (this._ended || this._link === undefined) return
    ;(this._progress ??= new ProgressSender(this.id, this.name, this._link)).report(value)
  }

  /**
   * The task ended: later progress calls are ignored, and the report still waiting is sent
   * now (before the result). Returns the error of a report that could not be sent, if any.
   */
  end(): SerializationError | undefined {
    this._ended = true
    return this._progress?.finish()
  }
}
