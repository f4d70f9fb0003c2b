/**
 * `DeadlockError`: what a deadlocked wait rejects with.
 *
 * @module
 */
import { FutureError } from '@x/future'
import type { DeadlockKind, DeadlockReport } from './types.js'

/**
 * A wait can never end: it is part of a deadlock (a cycle of tasks waiting on each other, a
 * starved pool, a task waiting on its own future, ...). In `onDeadlock: 'throw'` mode (the
 * default) the wait that closed the deadlock rejects with it.
 *
 * `report` is plain data and an own property, so the error keeps its `name`, `code` and `report`
 * when a pool sends it into a worker (`serializeError`/`deserializeError` of `@x/future`); there,
 * test it with {@link isDeadlockError} rather than `instanceof`.
 *
 * @example
 * ```ts
 * try {
 *   await inner.result()
 * } catch (error) {
 *   if (isDeadlockError(error)) console.error(formatReport(error.report))
 *   throw error
 * }
 * ```
 *
 * @since 0.1.0
 */
export class DeadlockError extends FutureError {
  /** Every task, future, wait (with its stack) and pool slot of the deadlock, and a hint. */
  readonly report: DeadlockReport

  constructor(report: DeadlockReport, options?: ErrorOptions) {
    super(deadlockMessage(report), 'ERR_DEADLOCK', options)
    this.report = report
    const victim = report.waits.find((wait) => wait.victim)
    if (victim !== undefined && victim.stack.trim() !== '') {
      // The error points at the wait that closed the deadlock, not at the detector.
      Object.defineProperty(this, 'stack', {
        value: `${this.name} [${this.code}]: ${this.message}\n${victim.stack}`,
        configurable: true,
        writable: true,
        enumerable: false,
      })
    }
  }

  /** Same as `report.kind`. */
  get kind(): DeadlockKind {
    return this.report.kind
  }
}

/** The message of a {@link DeadlockError}: the summary, one line per edge, and the hint. */
export function deadlockMessage(report: DeadlockReport): string {
  return [`deadlock detected: ${report.summary}`, ...report.chain.map((line) => `  ${line}`), `Hint: ${report.hint}`].join('\n')
}

/**
 * `true` for a {@link DeadlockError}, including one rebuilt on the other side of a worker
 * boundary (where it is a plain `Error` with `name: 'DeadlockError'` and the same `report`).
 *
 * @since 0.1.0
 */
export function isDeadlockError(error: unknown): error is Error & {
  /** Always `'ERR_DEADLOCK'`. */
  readonly code: 'ERR_DEADLOCK'
  /** The deadlock, as plain data. */
  readonly report: DeadlockReport
} {
  if (error instanceof DeadlockError) return true
  if (!(error instanceof Error) || error.name !== 'DeadlockError') return false
  const report = (error as { report?: unknown }).report
  return typeof report === 'object' && report !== null && typeof (report as { kind?: unknown }).kind === 'string'
}
