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
 *
 * @since 0.1.0
 */
export type DeadlockKind = 'cycle' | 'starvation' | 'self-wait' | 'shutdown-from-task'

/**
 * A node's part in a deadlock: `'core'` is the cycle or knot itself, `'tail'` waits on the core
 * (e.g. the main thread awaiting a deadlocked task), `'other'` is shown for context only
 * (e.g. a pool with free workers that a core task runs on).
 *
 * @since 0.1.0
 */
export type NodeRole = 'core' | 'tail' | 'other'

/**
 * A submitted task (its id is its future's id).
 *
 * @since 0.1.0
 */
export interface TaskInfo {
  /** Node id in `edges`: `T<id>`. */
  readonly node: string
  /** The task's id, which is also the id of its `Future`. */
  readonly id: number
  /** Its name (`submitWith({ name })`, else the function's or the export's), `null` when it has none. */
  readonly name: string | null
  /** The executor it was submitted to (an {@link ExecutorInfo.id}). */
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
  /** Its part in the deadlock; in a snapshot, `'other'` outside the deadlocked parts. */
  readonly role: NodeRole
}

/**
 * One wait: a `result()`, `await future`, `wait()`, `asCompleted` or `map` step.
 *
 * @since 0.1.0
 */
export interface WaitInfo {
  /** Node id in `edges`: `W<id>`. */
  readonly node: string
  /** The wait's id, as published in its `wait:start` event. */
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
  /** Its part in the deadlock; in a snapshot, `'other'` outside the deadlocked parts. */
  readonly role: NodeRole
}

/**
 * One worker slot of an executor.
 *
 * @since 0.1.0
 */
export interface SlotInfo {
  /** The worker (thread, child process or async slot) holding it, `null` when the backend does not say. */
  readonly workerId: number | null
  /** The task running in it. */
  readonly taskId: number
  /** That task's name, `null` when it has none. */
  readonly taskName: string | null
  /** `true` when that task is in waits that have no timeout only (see {@link TaskInfo.blocked}). */
  readonly blocked: boolean
}

/**
 * An executor (a pool of worker slots).
 *
 * @since 0.1.0
 */
export interface ExecutorInfo {
  /** Node id in `edges`: `P<id>`. */
  readonly node: string
  /** The executor's id, as published in its `executor:create` event. */
  readonly id: number
  /** `'async'`, `'thread'`, `'process'` or a third-party backend's word. */
  readonly kind: string
  /** Its label, e.g. `ThreadPoolExecutor #2`. */
  readonly name: string
  /** How many tasks it runs at once. */
  readonly maxWorkers: number
  /** Extra workers lent by the detector in `'compensate'` mode and not yet given back. */
  readonly lent: number
  /** `true` once its `shutdown()` was called. */
  readonly shutdown: boolean
  /** The running tasks, one per held slot. */
  readonly slots: readonly SlotInfo[]
  /** Ids of the first queued futures (at most 20), in queue order. */
  readonly queued: readonly number[]
  /** How many futures wait in its queue (all of them, where {@link ExecutorInfo.queued} lists 20 at most). */
  readonly queuedCount: number
  /** Its part in the deadlock; in a snapshot, `'other'` outside the deadlocked parts. */
  readonly role: NodeRole
}

/**
 * An edge of the wait-for graph as drawn: a waiter (task `T…`, or an outside wait `W…`) waits
 * for a task; a queued task is queued in a pool `P…`; a pool's slots are held by tasks; a task
 * shuts down (and so waits for) its own pool.
 *
 * @since 0.1.0
 */
export interface EdgeInfo {
  /** The node the edge leaves: `T<id>` (a task), `W<id>` (a wait outside tasks) or `P<id>` (a pool). */
  readonly from: string
  /** The node it points to, in the same notation. */
  readonly to: string
  /** What the edge means, read as `from <label> to`. */
  readonly label: 'waits for' | 'queued in' | 'slot held by' | 'shuts down'
  /** For `'waits for'`: the wait id. */
  readonly waitId: number | null
  /** Its part in the deadlock; in a snapshot, `'other'` outside the deadlocked parts. */
  readonly role: NodeRole
}

/**
 * A drawable wait-for graph: what {@link DeadlockReport} and {@link GraphSnapshot} share.
 *
 * @since 0.1.0
 */
export interface GraphInfo {
  /** The executors in the graph (nodes `P<id>`). */
  readonly executors: readonly ExecutorInfo[]
  /** The tasks in the graph (nodes `T<id>`). */
  readonly tasks: readonly TaskInfo[]
  /** The waits in the graph (outside tasks, nodes `W<id>`). */
  readonly waits: readonly WaitInfo[]
  /** Who waits for whom. */
  readonly edges: readonly EdgeInfo[]
}

/**
 * What the detector did about a deadlock.
 *
 * @since 0.1.0
 */
export type DeadlockAction = 'throw' | 'warn' | 'compensate' | 'callback'

/**
 * Everything known about one deadlock: plain data (`JSON.stringify`-able, structured-clone
 * safe). Render it with `formatReport(report, 'text' | 'dot' | 'mermaid')`.
 *
 * @since 0.1.0
 */
export interface DeadlockReport extends GraphInfo {
  /** What kind of deadlock it is. */
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

/**
 * `detector.snapshot()` data: the whole live graph, deadlocked parts marked `core`/`tail`.
 *
 * @since 0.1.0
 */
export interface SnapshotInfo extends GraphInfo {
  /** How many waits are deadlocked right now (0 in a healthy program). */
  readonly deadlockedWaits: number
}
