/**
 * What the pool and a new worker thread say before the shared protocol (`@x/pool-kit`'s
 * `ToWorker`/`FromWorker`) takes over: the session a thread is started with (a tinypool task),
 * and its answer once its initializer ran. Internal.
 *
 * @internal
 * @module
 */
import type { MessagePort } from 'node:worker_threads'
import type { CallableSpec, SerializedError } from '@x/future'

/** The tinypool task that sets a thread up: from then on it serves `port`. */
export interface SessionStart {
  /** The pool's end of the thread's channel is the other one. */
  readonly port: MessagePort
  /** The pool's label (for nested executors). */
  readonly label: string
  readonly maxWorkers: number
  /** Whether someone listens to wait events. */
  readonly diag: boolean
  /** The pool's claim words (`ClaimWords.buffer`) and their start times (`startsBuffer`). */
  readonly claims: SharedArrayBuffer
  readonly starts: SharedArrayBuffer
  readonly initializer: { readonly spec: CallableSpec; readonly args: unknown[] } | undefined
}

/** The thread is up: its initializer ran, or threw `initError`. */
export interface SessionReady {
  readonly initError?: SerializedError
}

/** Data every thread of one tinypool gets (its `workerData`). */
export interface ThreadData {
  /** `threadName()` in that thread: `<threadNamePrefix>_<n>`. */
  readonly threadName: string
}
