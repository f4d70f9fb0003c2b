/**
 * The one message protocol between a pool and its workers (threads and child processes alike):
 * a tagged union on `type`, with named fields. Batches are columnar (parallel arrays in one
 * object), which keeps them as cheap to copy as the old positional tuples were.
 *
 * @module
 */
import type { CallableSpec, SerializedError } from '@x/future'

/**
 * Tasks sent to a worker in one message; entry `i` of each array belongs to task `i`. A worker
 * runs them one at a time, in order.
 * @since 0.1.0
 */
export interface RunBatch {
  /** The tasks' future ids. */
  readonly ids: number[]
  /** Their callables' numbers ({@link CallableTable}). */
  readonly specIds: number[]
  /** Callables this worker has not been sent before, by number. */
  readonly specs: { readonly specId: number; readonly spec: CallableSpec }[]
  /** Their arguments (a chunk's: `PackedTuples`). */
  readonly args: unknown[][]
  /** Their names (for `currentTask().name`). */
  readonly names: (string | undefined)[]
  /** Which of them are `map()` chunks. */
  readonly chunks: boolean[]
  /** Claim-word slots, entry per task (thread pools), or absent ("sent means started"). */
  readonly slots?: number[]
}

/**
 * Results from a worker, in one message: entry `i` belongs to task `ids[i]`.
 * @since 0.1.0
 */
export interface ResultBatch {
  readonly ids: number[]
  /** The value, or the `SerializedError` when the task's index is in `failed`. */
  readonly values: unknown[]
  /** Indexes (into `ids`) of the tasks that threw. */
  readonly failed: number[]
  /** Mean run time per task of the batch, ms (the send-ahead window learns from it). */
  readonly meanMs: number
}

/**
 * How a nested future (work a task submitted from inside a worker) ended.
 * @since 0.1.0
 */
export type NestedOutcome = 'fulfilled' | 'rejected' | 'cancelled'

/**
 * Pool → worker.
 * @since 0.1.0
 */
export type ToWorker =
  | { readonly type: 'run'; readonly batch: RunBatch; readonly diag: boolean }
  | { readonly type: 'settle'; readonly ref: number; readonly outcome: NestedOutcome; readonly value: unknown }
  | { readonly type: 'abort'; readonly id: number; readonly reason: SerializedError }
  | { readonly type: 'rejectWait'; readonly waitId: number; readonly error: SerializedError }

/**
 * Worker → pool.
 * @since 0.1.0
 */
export type FromWorker =
  | ({ readonly type: 'results' } & ResultBatch)
  | {
      readonly type: 'submit'
      readonly ref: number
      readonly spec: CallableSpec
      readonly args: unknown[]
      readonly name: string | undefined
      readonly chunk: boolean
      readonly callerTaskId: number | undefined
    }
  | { readonly type: 'cancel'; readonly ref: number }
  | { readonly type: 'crash'; readonly error: SerializedError }
  | { readonly type: 'shutdown'; readonly wait: boolean; readonly cancelFutures: boolean; readonly callerTaskId: number | undefined }
  | {
      readonly type: 'wait'
      readonly waitId: number
      readonly taskId: number | undefined
      readonly refs: number[]
      readonly mode: 'all' | 'any'
      readonly timeout: number | undefined
      readonly stack: string
    }
  | { readonly type: 'waitEnd'; readonly waitId: number; readonly reason: 'settled' | 'timeout' | 'rejected' }

/**
 * Whether a message is one of ours (a worker's channel may carry other messages too).
 * @since 0.1.0
 */
export function isPoolMessage(message: unknown): message is ToWorker | FromWorker {
  return typeof message === 'object' && message !== null && typeof (message as { type?: unknown }).type === 'string' && !('__tinypool_worker_message__' in message)
}
