/**
 * The data the detector hands out: a {@link DeadlockReport} (inside a `DeadlockError`, to a
 * callback, in a warning) and a {@link GraphSnapshot} (`detector.snapshot()`). Both are plain,
 * structured-clone-safe data, so a report survives the trip into a worker thread or process.
 *
 * @module
 */

/**
 * What kind of deadlock a report describes.
 * - `'cycle'`: tasks wait on each other's futures (A waits for B, B waits for A).
 * - `'starvation'`: a task waits for a future queued in a pool whose every worker slot is held
 *   by a task that is itself stuck (e.g. `maxWorkers: 1` and a task that awaits its own subtask).
 * - `'self-wait'`: a task waits for its own future.
 * - `'shutdown-from-task'`: a task called `shutdown({ wait: true })` on its own executor, which
 *   waits for that very task (Python: `RuntimeError: cannot join current thread`).
 */
export type DeadlockKind = 'cycle' | 'starvation' | 'self-wait' | 'shutdown-from-task'

/**
 * A node's part in a deadlock: `'core'` is the cycle or knot itself, `'tail'` waits on the core
 * (e.g. the main thread awaiting a deadlocked task), `'other'` is shown for context only
 * (e.g. a pool with free workers that a core task runs on).
 */
export type NodeRole = 'core' | 'tail' | 'other'

/** A submitted task (its id is its future's id). */
export interface TaskInfo {
  /** Node id in `edges`: `T<id>`. */
  readonly node: string
  /** The task's id, which is also the id of its `Future`. */
  readonly id: number
  readonly name: string | null
  readonly executorId: number
  /** `'queued'`: submitted, waiting for a worker slot; `'running'`: holds a slot. */
  readonly state: 'queued' | 'running'
  /** The worker (slot) that runs it, `null` while queued. */
  readonly workerId: number | null
  /** 1-based position in its executor's queue, `null` while running. */
  readonly queuePosition: number | null
  /** `true` when every current wait of this running task has no timeout. */
  readonly blocked: boolean
  /** Ids of the waits this task is in right now. */
  readonly waitIds: readonly number[]
  readonly role: NodeRole
}

/** One wait: a `result()`, `await future`, `wait()`, `asCompleted` or `map` step. */
export interface WaitInfo {
  /** Node id in `edges`: `W<id>`. */
  readonly node: string
  readonly id: number
  /** The waiting task, or `null` outside any task (the main thread, a timer callback, ...). */
  readonly taskId: number | null
  /** `true` when the task that made this wait has already finished (a leftover `Promise.race` branch). */
  readonly orphaned: boolean
  /** The futures waited on that were not done when the wait started. */
  readonly futureIds: readonly number[]
  /** `'all'` needs every future, `'any'` needs one of them. */
  readonly mode: 'all' | 'any'
  /** Milliseconds, or `null` for a wait without timeout. */
  readonly timeout: number | null
  /** Where the wait happened (stack frames, most recent first). */
  readonly stack: string
  /** `true` for the wait the detector acted on (rejected, or lent a worker for). */
  readonly victim: boolean
  readonly role: NodeRole
}

/** One worker slot of an executor. */
export interface SlotInfo {
  readonly workerId: number | null
  readonly taskId: number
  readonly taskName: string | null
  readonly blocked: boolean
}

/** An executor (a pool of worker slots). */
export interface ExecutorInfo {
  /** Node id in `edges`: `P<id>`. */
  readonly node: string
  readonly id: number
  /** `'async'`, `'thread'`, `'process'` or a third-party backend's word. */
  readonly kind: string
  /** Its label, e.g. `ThreadPoolExecutor #2`. */
  readonly name: string
  readonly maxWorkers: number
  /** Extra workers lent by the detector in `'compensate'` mode and not yet given back. */
  readonly lent: number
  readonly shutdown: boolean
  /** The running tasks, one per held slot. */
  readonly slots: readonly SlotInfo[]
  /** Ids of the first queued futures (at most 20), in queue order. */
  readonly queued: readonly number[]
  readonly queuedCount: number
  readonly role: NodeRole
}

/**
 * An edge of the wait-for graph as drawn: a waiter (task `T…`, or an outside wait `W…`) waits
 * for a task; a queued task is queued in a pool `P…`; a pool's slots are held by tasks; a task
 * shuts down (and so waits for) its own pool.
 */
export interface EdgeInfo {
  readonly from: string
  readonly to: string
  readonly label: 'waits for' | 'queued in' | 'slot held by' | 'shuts down'
  /** For `'waits for'`: the wait id. */
  readonly waitId: number | null
  readonly role: NodeRole
}

/** A drawable wait-for graph: what {@link DeadlockReport} and {@link GraphSnapshot} share. */
export interface GraphInfo {
  readonly executors: readonly ExecutorInfo[]
  readonly tasks: readonly TaskInfo[]
  readonly waits: readonly WaitInfo[]
  readonly edges: readonly EdgeInfo[]
}

/** What the detector did about a deadlock. */
export type DeadlockAction = 'throw' | 'warn' | 'compensate' | 'callback'

/**
 * Everything known about one deadlock: plain data (`JSON.stringify`-able, structured-clone
 * safe). Render it with `formatReport(report, 'text' | 'dot' | 'mermaid')`.
 */
export interface DeadlockReport extends GraphInfo {
  readonly kind: DeadlockKind
  /** One line, e.g. `cycle of 2 tasks in AsyncPoolExecutor #1`. */
  readonly summary: string
  /** The deadlock in words, one line per edge, in order starting from the victim. */
  readonly chain: readonly string[]
  /** What to change so it cannot happen. */
  readonly hint: string
  /** What the detector did (or, for `'compensate'`, `'throw'` when no worker could be lent). */
  readonly action: DeadlockAction
  /**
   * The wait that closed the deadlock (the one rejected in `'throw'` mode); `null` for
   * `'shutdown-from-task'`, where the executor's own `shutdown()` call fails instead.
   */
  readonly victimWaitId: number | null
  /** The task that made that wait (or called `shutdown()`). */
  readonly victimTaskId: number | null
  /** Why compensation was not possible, when `onDeadlock: 'compensate'` had to throw. */
  readonly note: string | null
}

/** `detector.snapshot()` data: the whole live graph, deadlocked parts marked `core`/`tail`. */
export interface SnapshotInfo extends GraphInfo {
  /** How many waits are deadlocked right now (0 in a healthy program). */
  readonly deadlockedWaits: number
}
