/**
 * What the tinypool `session` task exchanges with a child as it starts (internal); everything
 * after that is `@x/pool-kit`'s protocol (`ToWorker` / `FromWorker`).
 *
 * @internal
 * @module
 */
import type { CallableSpec, SerializedError } from '@x/future'
import type { ToWorker } from '@x/pool-kit'

/** What the tinypool `session` task receives when a child starts. */
export interface SessionStart {
  readonly label: string
  readonly maxWorkers: number
  readonly workerId: number
  readonly diag: boolean
  readonly initializer: { readonly spec: CallableSpec; readonly args: unknown[] } | undefined
  /** The start marker file (start-marker.ts). */
  readonly marker: string
  /**
   * What the pool sent the child before the session (its first task, usually): the session
   * carries it, as the child may not listen yet (tinypool-processes.ts).
   */
  readonly early: readonly ToWorker[]
}

/** What the `session` task returns once the child is ready (or its initializer failed). */
export interface SessionReady {
  readonly pid: number
  readonly initError?: SerializedError
}
