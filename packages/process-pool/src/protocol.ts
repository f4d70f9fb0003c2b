/**
 * The messages between the parent and a child process (internal). Arrays, not objects: they
 * are cheaper to serialize, and every task crosses the boundary in one of them.
 *
 * @internal
 * @module
 */
import type { CallableSpec, SerializedError } from '@x/future'

/** One task sent to a child: `[futureId, specId, spec (first time per child) or 0, args, name, chunk]`. */
export type RunItem = [id: number, specId: number, spec: CallableSpec | 0, args: unknown[], name: string | undefined, chunk: 0 | 1]

/** One result from a child: `[futureId, 1, value]` or `[futureId, 0, error]`. */
export type ResultItem = [id: number, ok: 1, value: unknown] | [id: number, ok: 0, error: SerializedError]

/** What the tinypool `session` task receives when a child starts. */
export interface SessionStart {
  readonly label: string
  readonly maxWorkers: number
  readonly workerId: number
  readonly diag: boolean
  readonly initializer: { readonly spec: CallableSpec; readonly args: unknown[] } | undefined
}

/** What the `session` task returns once the child is ready (or its initializer failed). */
export interface SessionReady {
  readonly pid: number
  readonly initError?: SerializedError
}

/** Outcome of a nested future, parent to child: 0 ok, 1 failed, 2 cancelled. */
export type Outcome = 0 | 1 | 2

export type ToChild =
  | [t: 'run', items: RunItem[], diag: boolean]
  | [t: 'done', ref: number, outcome: Outcome, value: unknown]
  | [t: 'abort', id: number, reason: SerializedError]
  | [t: 'wrej', waitId: number, error: SerializedError]

export type ToParent =
  | [t: 'res', items: ResultItem[], meanMs: number]
  | [t: 'sub', ref: number, spec: CallableSpec, args: unknown[], name: string | undefined, chunk: 0 | 1, callerTaskId: number | undefined]
  | [t: 'cancel', ref: number]
  | [t: 'crash', error: SerializedError]
  | [t: 'shutdown', cancelFutures: boolean, wait: boolean, callerTaskId: number | undefined]
  | [t: 'wait', waitId: number, taskId: number | undefined, refs: number[], mode: 'all' | 'any', timeout: number | undefined, stack: string]
  | [t: 'waitend', waitId: number, reason: 'settled' | 'timeout' | 'rejected']
