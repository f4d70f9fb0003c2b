/**
 * Futures passed as top-level arguments (Dask's rule): the call waits, PENDING and holding no
 * worker, until every such future is done, then runs with their values in their places. A failed
 * or cancelled dependency fails the call with `DependencyError` without running it.
 *
 * The future handed to the caller (the dependent) is made here; once the dependencies are done,
 * the backend's own `submitWith()` gets the call and returns the inner future, which the dependent
 * mirrors (start, result, error, cancel), so the backend needs no code for any of this.
 *
 * @module
 */
import { channels } from './channels.js'
import type { DependencyEndEvent, DependencyStartEvent, FutureSubmitEvent } from './diagnostics.js'
import { CancelledError, DependencyError, describeValue } from './errors.js'
import { Future } from './future.js'
import { isFuture } from './is-future.js'
import { kFailed, kOutcome, kReportProgress, kSetCancelHook, kSetObserver } from './future-hooks.js'
import type { CancelHook, FutureObserver, Outcome } from './future-hooks.js'
import { runningTaskId } from './task-storage.js'

/** The `submitWith()` options this file reads. */
interface SubmitOptions {
  name?: string | undefined
  signal?: AbortSignal | undefined
}

/** `true` when a top-level argument of the call (after options and fn) is a future. */
export function hasDependencies(call: readonly unknown[]): boolean {
  for (let i = 2; i < call.length; i++) if (isFuture(call[i])) return true
  return false
}

/** What a dependent call needs of its executor. */
export interface DependencyHost {
  readonly id: number
  /** The backend's own submitWith, called with the call's final arguments. */
  submitNow(call: unknown[]): Future
  /** A dependent call stopped waiting (handed over, failed or cancelled). */
  released(call: DependentCall): void
}

/**
 * One call waiting on its dependencies: the dependent future's cancel hook while it waits, and
 * the inner future's observer once handed over.
 */
export class DependentCall implements CancelHook, FutureObserver {
  readonly future: Future
  readonly #host: DependencyHost
  readonly #call: unknown[]
  readonly #dependencies: Future[]
  #remaining: number
  #inner: Future | undefined
  /** Waiting on dependencies (false once handed over, failed or cancelled). */
  #waiting = true
  #cancelling = false
  #onAbort: (() => void) | undefined

  constructor(host: DependencyHost, call: unknown[]) {
    this.#host = host
    this.#call = call
    const options = (call[0] ?? {}) as SubmitOptions
    const fn = call[1] as { name?: string } | undefined
    this.future = new Future({ name: options.name ?? (fn?.name === '' ? undefined : fn?.name) })
    const dependencies = new Set<Future>()
    for (let i = 2; i < call.length; i++) if (isFuture(call[i])) dependencies.add(call[i] as Future)
    this.#dependencies = [...dependencies]
    this.#remaining = this.#dependencies.length
  }

  /** Publishes the events, then waits (or fails at once, or goes on at once). */
  start(): void {
    const future = this.future
    future[kSetCancelHook](this)
    if (channels.futureSubmit.hasSubscribers) {
      channels.futureSubmit.publish({
        futureId: future.id,
        executorId: this.#host.id,
        name: future.name,
        callerTaskId: runningTaskId(),
      } satisfies FutureSubmitEvent)
    }
    if (channels.dependencyStart.hasSubscribers) {
      channels.dependencyStart.publish({
        futureId: future.id,
        executorId: this.#host.id,
        dependencyIds: this.#dependencies.map((d) => d.id),
      } satisfies DependencyStartEvent)
    }
    const signal = (this.#call[0] as SubmitOptions | undefined)?.signal
    if (signal !== undefined) {
      if (signal.aborted) {
        future.cancel()
        return
      }
      this.#onAbort = () => future.cancel()
      signal.addEventListener('abort', this.#onAbort, { once: true })
    }
    for (const dependency of this.#dependencies) {
      dependency.addDoneCallback(() => {
        this.#dependencyDone(dependency)
      })
      if (!this.#waiting) return
    }
  }

  #dependencyDone(dependency: Future): void {
    if (!this.#waiting) return
    if (dependency.cancelled() || dependency[kFailed]) {
      this.#stopWaiting('failed')
      const cause = dependency.cancelled() ? new CancelledError(`${label(dependency)} was cancelled`) : dependency[kOutcome]
      const how = dependency.cancelled() ? 'was cancelled' : `failed (${describeValue(cause)})`
      const error = new DependencyError(
        `${label(this.future)} did not run: its dependency ${label(dependency)} ${how}`,
        dependency.id,
        { cause },
      )
      this.future[kSetCancelHook](undefined)
      this.future.setRunningOrNotifyCancel()
      this.future.setException(error)
      this.#host.released(this)
      return
    }
    if (--this.#remaining > 0) return
    // Hand over from a microtask: this runs inside the dependency's setResult(), maybe deep in
    // another executor's completion path, which is no place to call a backend's submitWith().
    queueMicrotask(() => {
      this.#handOver()
    })
  }

  #handOver(): void {
    if (!this.#waiting) return
    this.#stopWaiting('ready')
    const call = this.#call.map((value, i) => (i >= 2 && isFuture(value) ? value[kOutcome] : value))
    let inner: Future
    try {
      inner = this.#host.submitNow(call)
    } catch (error) {
      this.future[kSetCancelHook](undefined)
      this.future.setRunningOrNotifyCancel()
      this.future.setException(error)
      return
    } finally {
      this.#host.released(this)
    }
    this.#inner = inner
    // progress the call reports reaches the future the caller holds
    inner.onProgress((value) => {
      this.future[kReportProgress](value)
    })
    if (inner.done()) {
      this.futureDone(inner.cancelled() ? 'cancelled' : inner[kFailed] ? 'failed' : 'completed')
      return
    }
    if (inner.running()) this.futureStarted()
    inner[kSetObserver](this)
  }

  #stopWaiting(reason: DependencyEndEvent['reason']): void {
    this.#waiting = false
    const signal = (this.#call[0] as SubmitOptions | undefined)?.signal
    if (this.#onAbort !== undefined) {
      signal?.removeEventListener('abort', this.#onAbort)
      this.#onAbort = undefined
    }
    if (channels.dependencyEnd.hasSubscribers) {
      channels.dependencyEnd.publish({ futureId: this.future.id, reason } satisfies DependencyEndEvent)
    }
  }

  // ---- CancelHook of the dependent future ----

  claimCancel(): boolean {
    if (this.#waiting) {
      this.#stopWaiting('cancelled')
      this.#host.released(this)
      return true
    }
    const inner = this.#inner
    if (inner === undefined) return true
    this.#cancelling = true
    try {
      if (inner.cancel()) return true
    } finally {
      this.#cancelling = false
    }
    // the inner call runs (or is done): so is the dependent
    if (inner.running() && this.future.state === 'PENDING') this.futureStarted()
    return false
  }

  futureCancelled(): void {
    this.future.setRunningOrNotifyCancel()
  }

  // ---- FutureObserver of the inner future ----

  futureStarted(): void {
    if (this.future.state === 'PENDING') this.future.setRunningOrNotifyCancel()
  }

  futureDone(outcome: Outcome): void {
    const inner = this.#inner
    const future = this.future
    if (inner === undefined) return
    if (future.done()) return
    if (outcome === 'cancelled') {
      if (!this.#cancelling) future.cancel()
      return
    }
    if (future.state === 'PENDING') future.setRunningOrNotifyCancel()
    if (outcome === 'failed') future.setException(inner[kOutcome])
    else future.setResult(inner[kOutcome])
  }
}

function label(future: Future): string {
  return future.name === undefined ? `future #${String(future.id)}` : `future #${String(future.id)} "${future.name}"`
}
