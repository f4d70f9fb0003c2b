/**
 * The nodes of the wait-for graph (executors, tasks, waits), how they are made from the events,
 * and the two facts the analysis reads off them: whether a task is blocked, and a pool's capacity.
 *
 * @module
 */
import type { WaitStartEvent } from '@x/future'

export interface ExecutorNode {
  readonly type: 'pool'
  readonly id: number
  kind: string
  name: string
  maxWorkers: number
  lendWorker: (() => (() => void) | undefined) | undefined
  /** Running tasks, each holding one worker slot (with a node or not: see {@link WaitForGraph.holdersOf}). */
  running: number
  /**
   * The running tasks that have a node. A running task without one has never waited, so it is
   * not blocked: when every running task is blocked, they are all here.
   */
  readonly holders: Set<TaskNode>
  /** How many holders are blocked (see {@link isBlocked}). */
  blockedHolders: number
  /** Workers lent by the detector (compensate mode), not yet given back. */
  lent: number
  shutdown: boolean
}

export interface TaskNode {
  readonly type: 'task'
  readonly id: number
  name: string | undefined
  readonly executorId: number
  readonly executor: ExecutorNode | undefined
  state: 'queued' | 'running'
  workerId: number | undefined
  /** Current waits of this task (a task may await several things at once). */
  waits: ReadonlySet<WaitNode>
  untimed: number
  timed: number
  /** Set when the task called `shutdown({ wait: true })` on its own executor. */
  shutdownOwnExecutor: boolean
}

export interface WaitNode {
  readonly type: 'wait'
  readonly id: number
  /** Arrival order (the newest wait of a deadlock is its victim). */
  readonly seq: number
  readonly taskId: number | undefined
  /** The running task blocked by this wait; `undefined` outside any known task. */
  task: TaskNode | undefined
  /** `true` once the task finished while this wait was still open. */
  orphaned: boolean
  readonly futureIds: readonly number[]
  readonly mode: 'all' | 'any'
  readonly timed: boolean
  readonly event: WaitStartEvent
  /** Set once this wait was part of a reported deadlock (reports each deadlock once). */
  reported: boolean
  /** Gives a lent worker back when this wait ends (compensate mode). */
  release: (() => void) | undefined
  /** `false` when the detector did not record its wait site (`waitSites: false`). */
  site: boolean
}

export type GraphNode = ExecutorNode | TaskNode | WaitNode

/** The wait set of every task that is not waiting (replaced by its own set on the first wait). */
export const NO_WAITS: ReadonlySet<WaitNode> = new Set()

/** A running task whose every current wait has no timeout: it cannot move by itself. */
export function isBlocked(task: TaskNode): boolean {
  return task.state === 'running' && task.untimed > 0 && task.timed === 0
}

/** Worker slots, counting the ones lent by the detector. */
export function capacity(executor: ExecutorNode): number {
  return executor.maxWorkers + executor.lent
}

export function waitNode(event: WaitStartEvent, seq: number): WaitNode {
  const timeout = event.timeout
  return {
    type: 'wait',
    id: event.waitId,
    seq,
    taskId: event.taskId,
    task: undefined,
    orphaned: false,
    futureIds: event.futureIds,
    mode: event.mode === 'any' ? 'any' : 'all',
    timed: timeout !== undefined && timeout !== Infinity,
    event,
    reported: false,
    release: undefined,
    site: true,
  }
}

export function taskNode(id: number, executorId: number, executor: ExecutorNode | undefined, name: string | undefined): TaskNode {
  return {
    type: 'task',
    id,
    name,
    executorId,
    executor,
    state: 'queued',
    workerId: undefined,
    waits: NO_WAITS,
    untimed: 0,
    timed: 0,
    shutdownOwnExecutor: false,
  }
}
