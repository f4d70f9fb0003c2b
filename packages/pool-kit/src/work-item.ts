/**
 * A unit of work as the engine tracks it: one record per submitted call (or `map()` chunk) with a
 * single `state` field. The future's own state is what users see; `state` here is where the
 * work is, which the future cannot say (queued here, or sent to a worker that may not have
 * started it yet).
 *
 * @module
 */
import type { CallableSpec, Future } from '@x/future'

/**
 * Where a work item is:
 * - `queued`: in the pool's queue, its future PENDING;
 * - `sent`: handed to a worker (sent ahead), not known to have started;
 * - `running`: the worker started it;
 * - `done`: its future is settled, or it left the queue (cancelled, or the pool broke).
 * @since 0.1.0
 */
export type WorkState = 'queued' | 'sent' | 'running' | 'done'

/**
 * One submitted call or `map()` chunk. `W` is the pool's worker type.
 * @since 0.1.0
 */
export interface WorkItem<W = unknown> {
  /** The future the caller holds; its id identifies the work in every message. */
  readonly future: Future
  /** The callable's id in the pool's {@link CallableTable}. */
  readonly specId: number
  /** The callable. */
  readonly spec: CallableSpec
  /**
   * The arguments, or a chunk's packed argument tuples when `chunk` is true. Emptied once the work
   * is done, so a settled future held by its caller does not keep its arguments alive.
   */
  args: unknown[]
  /** A `map()` chunk: `args` is packed (see `packTuples`), the result is a packed column. */
  readonly chunk: boolean
  /** The caller's `submitWith({ signal })`. */
  readonly signal: AbortSignal | undefined
  /** Where the work is. */
  state: WorkState
  /** The worker it was sent to, while `sent` or `running`. */
  worker: W | undefined
}

/**
 * A new work item in state `queued`.
 * @since 0.1.0
 */
export function newWorkItem<W>(
  future: Future,
  specId: number,
  spec: CallableSpec,
  args: unknown[],
  chunk: boolean,
  signal: AbortSignal | undefined,
): WorkItem<W> {
  return { future, specId, spec, args, chunk, signal, state: 'queued', worker: undefined }
}
