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
 * runs them one at a time, in order. A column that would hold only its default is left out (each
 * key and array costs its copy, which counts for a message of one tiny task).
 * @since 0.1.0
 */
export interface RunBatch {
  /** The tasks' future ids. */
  readonly ids: number[]
  /** Their callables' numbers ({@link CallableTable}). */
  readonly specIds: number[]
  /** Callables this worker has not been sent before, by number; absent when there are none. */
  readonly specs?: {
    /** Its number. */
    readonly specId: number
    /** The callable. */
    readonly spec: CallableSpec
  }[]
  /** Their arguments (a chunk's: `PackedTuples`). */
  readonly args: unknown[][]
  /** Their names (for `currentTask().name`). */
  readonly names: (string | undefined)[]
  /** Which of them are `map()` chunks; absent when none is. */
  readonly chunks?: boolean[]
  /** Claim-word slots, entry per task (the claims policy), or absent ("sent means started"). */
  readonly slots?: number[] | undefined
  /** What each task's claim word holds while it is PENDING (`ClaimWords.ticket`), with `slots`. */
  readonly tickets?: number[] | undefined
  /**
   * Which of them are `stream()` tasks: entry `i` is task `i`'s `highWaterMark`, `0` for a plain
   * call. Absent when none is (a batch without streams carries nothing more).
   */
  readonly streams?: number[]
}

/**
 * Results from a worker, in one message: entry `i` belongs to task `ids[i]`.
 * @since 0.1.0
 */
export interface ResultBatch {
  /** The tasks' future ids. */
  readonly ids: number[]
  /** The value, or the `SerializedError` when the task's index is in `failed`. */
  readonly values: unknown[]
  /** Indexes (into `ids`) of the tasks that threw, ascending; absent when none did. */
  readonly failed?: number[]
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
  | {
      /** Run these tasks, in order. */
      readonly type: 'run'
      /** The tasks. */
      readonly batch: RunBatch
      /** Whether someone listens to wait events (forward waits on nested futures); absent: no. */
      readonly diag?: true
      /**
       * Its one call has large arguments (`LARGE_ARGS` bytes or more to copy), sent alone: the
       * pool's next call for this worker, if any, is at least another such copy away, so a worker
       * does not wait for it after answering (the thread pool's look-ahead after a lone call takes
       * only a message already there); absent: no.
       */
      readonly large?: true
    }
  | {
      /** A nested future ended. */
      readonly type: 'settle'
      /** The worker's number for it. */
      readonly ref: number
      /** How it ended. */
      readonly outcome: NestedOutcome
      /** Its value, or its `SerializedError`. */
      readonly value: unknown
    }
  | {
      /** The caller aborted a task's signal. */
      readonly type: 'abort'
      /** The task's future id. */
      readonly id: number
      /** The abort reason. */
      readonly reason: SerializedError
    }
  | {
      /** The consumer of a `stream()` task took values: the worker may yield this many more. */
      readonly type: 'credit'
      /** The stream task's future id. */
      readonly id: number
      /** How many values were taken. */
      readonly count: number
    }
  | {
      /** The deadlock detector rejected a forwarded wait. */
      readonly type: 'rejectWait'
      /** The worker's wait id. */
      readonly waitId: number
      /** The error the wait rejects with. */
      readonly error: SerializedError
    }

/**
 * Worker → pool.
 * @since 0.1.0
 */
export type FromWorker =
  | ({
      /** Results of tasks. */
      readonly type: 'results'
    } & ResultBatch)
  | {
      /** A task's latest `currentTask().progress(value)` (coalesced in the worker). */
      readonly type: 'progress'
      /** The task's future id. */
      readonly id: number
      /** The value it reported. */
      readonly value: unknown
    }
  | {
      /** Values a `stream()` task's generator yielded, in order (never more than its credit). */
      readonly type: 'yield'
      /** The stream task's future id. */
      readonly id: number
      /** The values. */
      readonly values: unknown[]
    }
  | {
      /** A task submitted nested work (`currentTask().executor.submit()`). */
      readonly type: 'submit'
      /** The worker's number for the nested future. */
      readonly ref: number
      /** The callable. */
      readonly spec: CallableSpec
      /** Its arguments (a chunk's: `PackedTuples`). */
      readonly args: unknown[]
      /** The future's name. */
      readonly name: string | undefined
      /** A `map()` chunk. */
      readonly chunk: boolean
      /** The future id of the task that submitted it. */
      readonly callerTaskId: number | undefined
    }
  | {
      /** A task cancelled a nested future. */
      readonly type: 'cancel'
      /** The worker's number for it. */
      readonly ref: number
    }
  | {
      /**
       * A task sent ahead has started (claims policy, while someone listens to wait events: the
       * pool publishes future:start without reading its claim word).
       */
      readonly type: 'started'
      /** The task's future id. */
      readonly id: number
    }
  | {
      /** An uncaught exception is about to end the worker. */
      readonly type: 'crash'
      /** The exception. */
      readonly error: SerializedError
    }
  | {
      /** A task called `shutdown()` on the pool. */
      readonly type: 'shutdown'
      /** As it asked. */
      readonly wait: boolean
      /** As it asked. */
      readonly cancelFutures: boolean
      /** The future id of that task. */
      readonly callerTaskId: number | undefined
    }
  | {
      /** A task waits on nested futures (forwarded for the deadlock detector). */
      readonly type: 'wait'
      /** The worker's wait id. */
      readonly waitId: number
      /** The waiting task's future id. */
      readonly taskId: number | undefined
      /** The nested futures, by the worker's numbers. */
      readonly refs: number[]
      /** Waits for all, or any. */
      readonly mode: 'all' | 'any'
      /** Its timeout, ms. */
      readonly timeout: number | undefined
      /** Where it waits. */
      readonly stack: string
    }
  | {
      /** A forwarded wait ended. */
      readonly type: 'waitEnd'
      /** The worker's wait id. */
      readonly waitId: number
      /** Why. */
      readonly reason: 'settled' | 'timeout' | 'rejected'
    }

/**
 * Whether a message is one of ours (a worker's channel may carry other messages too).
 * @since 0.1.0
 */
export function isPoolMessage(message: unknown): message is ToWorker | FromWorker {
  return typeof message === 'object' && message !== null && typeof (message as { type?: unknown }).type === 'string' && !('__tinypool_worker_message__' in message)
}
