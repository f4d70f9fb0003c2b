/**
 * What the engine knows about one worker, and about each work item beyond its state.
 *
 * @module
 */
import type { Transferable } from 'node:worker_threads'
import type { Future } from '@x/future'
import type { WorkItem } from '../work-item.js'
import type { StreamSink } from './stream-sink.js'

/**
 * A work item as the engine tracks it.
 * @since 0.1.0
 */
export interface EngineItem extends WorkItem<WorkerRecord> {
  /** future:start was published (its worker started it, as far as the pool knows). */
  announced: boolean
  /** Listens to `signal`. */
  onAbort: (() => void) | undefined
  /** Ends its worker when the task has not stopped within the abort grace period. */
  graceTimer: NodeJS.Timeout | undefined
  /** A `stream()` task's consumer; `undefined` for a plain call. */
  readonly stream?: StreamSink | undefined
  /** Its claim word while it is with a worker (the `claims` policy), else -1. */
  slot: number
  /** What its claim word holds while it is PENDING (sent with it). */
  ticket: number
  /**
   * Buffers moved to the worker with it (`submitWith({ transfer })`): it cannot be sent twice.
   * Dropped once the work is done, with its arguments.
   */
  transfer: readonly Transferable[] | undefined
  /**
   * The estimated bytes of its arguments to copy (`argumentBytes`, less the buffers it moves), -1
   * until the dispatcher first needs them.
   */
  bytes: number
  /** What it adds to its worker's `heldBytes` while there: `bytes`. */
  heldShare: number
}

/**
 * A worker's life: `starting` → `ready` → `stopping` → `gone` (any state may jump to `gone`).
 * @since 0.1.0
 */
export type WorkerLife = 'starting' | 'ready' | 'stopping' | 'gone'

/**
 * One worker.
 * @since 0.1.0
 */
export interface WorkerRecord {
  /** The pool's small number for it (reused after it is gone). */
  readonly workerId: number
  /** The transport's handle (typed by the engine that owns it). */
  handle: unknown
  /** Where it is in its life. */
  life: WorkerLife
  /** Its transport said it takes messages (`WorkerEvents.open`): while starting, it gets its first task. */
  open: boolean
  /** The work it holds, in the order sent (a Map keeps insertion order). */
  readonly held: Map<number, EngineItem>
  /**
   * The estimated bytes of the arguments it holds copies of: the sum of `held`'s `heldShare`
   * (the byte budget of large calls, `SendWindow`'s `maxBytes`).
   */
  heldBytes: number
  /** Callables it has been sent. */
  readonly sentSpecs: Set<number>
  /** Tasks sent to it in its life (for maxTasksPerWorker). */
  assigned: number
  /** The smallest window among the tasks it holds: no more than this many may be held. */
  cap: number
  /** A task of this worker submitted nested work: give it nothing more until that task ends. */
  blockedBy: number | undefined
  /** It keeps the host process alive (while it has work). */
  referenced: boolean
  /** Ends it after `idleTimeout`. */
  idleTimer: NodeJS.Timeout | undefined
  /** Its exit code, once it exited. */
  exitCode: number | undefined
  /** The signal that ended it, once a signal did. */
  signal: string | undefined
  /** The uncaught exception that ended it, as it reported it. */
  crash: unknown
  /** The pool ended it: this task ignored its aborted signal for the whole grace period. */
  killedFor:
    | {
        /** The task. */
        readonly item: EngineItem
        /** Its abort reason. */
        readonly reason: unknown
      }
    | undefined
  /** Nested futures its tasks submitted: ref → the pool's future. */
  readonly nested: Map<number, Future>
  /** Waits its tasks published: worker wait id → the pool's wait id. */
  readonly waits: Map<number, number>
  /** Resolves when it is gone. */
  readonly gone: Promise<void>
  /** Resolves `gone`. */
  markGone: () => void
}

/**
 * A new worker record in state `starting`.
 * @since 0.1.0
 */
export function newWorkerRecord(workerId: number): WorkerRecord {
  let markGone!: () => void
  const gone = new Promise<void>((resolve) => {
    markGone = resolve
  })
  return {
    workerId,
    handle: undefined,
    life: 'starting',
    open: false,
    held: new Map(),
    heldBytes: 0,
    sentSpecs: new Set(),
    assigned: 0,
    cap: Infinity,
    blockedBy: undefined,
    referenced: false,
    idleTimer: undefined,
    exitCode: undefined,
    signal: undefined,
    crash: undefined,
    killedFor: undefined,
    nested: new Map(),
    waits: new Map(),
    gone,
    markGone,
  }
}
