/**
 * The live wait-for graph, fed by the `@x/future` diagnostics events. Every handler is O(1)
 * (amortized) except `waitStart`/`workerExit`, which are O(number of futures in the event).
 *
 * Only what the events prove is modelled: a future without a `future:submit` (a hand-made
 * `Future`, or one submitted before the detector started) is unknown and therefore counts as
 * "can still finish"; so does an executor without `executor:create`.
 *
 * @module
 */
import type {
  ExecutorCreateEvent,
  ExecutorShutdownEvent,
  FutureCancelEvent,
  FutureFinishEvent,
  FutureStartEvent,
  FutureSubmitEvent,
  WaitEndEvent,
  WaitStartEvent,
  WorkerExitEvent,
} from '@x/future'

export interface ExecutorNode {
  readonly type: 'pool'
  readonly id: number
  kind: string
  name: string
  maxWorkers: number
  lendWorker: (() => (() => void) | undefined) | undefined
  /** Running tasks (each holds one worker slot). */
  readonly holders: Set<TaskNode>
  /** Queued tasks in submit order. */
  readonly queued: Set<TaskNode>
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
  readonly waits: Set<WaitNode>
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
}

export type GraphNode = ExecutorNode | TaskNode | WaitNode

const EMPTY: ReadonlySet<WaitNode> = new Set()

/** A running task whose every current wait has no timeout: it cannot move by itself. */
export function isBlocked(task: TaskNode): boolean {
  return task.state === 'running' && task.untimed > 0 && task.timed === 0
}

/** Worker slots, counting the ones lent by the detector. */
export function capacity(executor: ExecutorNode): number {
  return executor.maxWorkers + executor.lent
}

export class WaitForGraph {
  readonly executors = new Map<number, ExecutorNode>()
  readonly tasks = new Map<number, TaskNode>()
  readonly waits = new Map<number, WaitNode>()
  /** Open waits by the future ids they wait on (to find waiters upstream of a deadlock). */
  readonly #waiters = new Map<number, WaitNode | Set<WaitNode>>()
  /** Waits of tasks not running yet (a backend may forward a worker's wait before its start). */
  readonly #early = new Map<number, Set<WaitNode>>()
  /** Open waits without timeout (drives the safety-net timer). */
  untimedWaits = 0
  #seq = 0

  executorCreate(event: ExecutorCreateEvent): ExecutorNode {
    let executor = this.executors.get(event.executorId)
    if (executor === undefined) {
      executor = {
        type: 'pool',
        id: event.executorId,
        kind: event.kind,
        name: event.name,
        maxWorkers: event.maxWorkers,
        lendWorker: typeof event.lendWorker === 'function' ? event.lendWorker : undefined,
        holders: new Set(),
        queued: new Set(),
        blockedHolders: 0,
        lent: 0,
        shutdown: false,
      }
      this.executors.set(executor.id, executor)
    }
    return executor
  }

  /**
   * Records a shutdown. Returns the calling task when it is a task of the executor being shut
   * down with `wait: true` (it waits for itself).
   */
  executorShutdown(event: ExecutorShutdownEvent): TaskNode | undefined {
    const executor = this.executors.get(event.executorId)
    if (executor !== undefined) executor.shutdown = true
    if (!event.wait || event.callerTaskId === undefined) return undefined
    const caller = this.tasks.get(event.callerTaskId)
    if (caller?.executorId !== event.executorId) return undefined
    caller.shutdownOwnExecutor = true
    return caller
  }

  futureSubmit(event: FutureSubmitEvent): void {
    if (this.tasks.has(event.futureId)) return
    const executor = this.executors.get(event.executorId)
    const task: TaskNode = {
      type: 'task',
      id: event.futureId,
      name: event.name,
      executorId: event.executorId,
      executor,
      state: 'queued',
      workerId: undefined,
      waits: new Set(),
      untimed: 0,
      timed: 0,
      shutdownOwnExecutor: false,
    }
    this.tasks.set(task.id, task)
    executor?.queued.add(task)
  }

  /** Returns the waits the task had already started (see `#early`), now attached to it. */
  futureStart(event: FutureStartEvent): WaitNode[] {
    let task = this.tasks.get(event.futureId)
    if (task === undefined) {
      // Submitted before the detector started: it still holds a slot from now on.
      this.futureSubmit({ futureId: event.futureId, executorId: event.executorId, name: undefined, callerTaskId: undefined })
      task = this.tasks.get(event.futureId)
      if (task === undefined) return []
    }
    if (task.state === 'running') return []
    task.executor?.queued.delete(task)
    task.state = 'running'
    task.workerId = event.workerId
    if (task.executor !== undefined) {
      task.executor.holders.add(task)
      if (isBlocked(task)) task.executor.blockedHolders++
    }
    const early = this.#early.get(task.id)
    if (early === undefined) return []
    this.#early.delete(task.id)
    const attached = [...early].filter((wait) => this.waits.get(wait.id) === wait)
    for (const wait of attached) this.#attach(wait, task)
    return attached
  }

  /** A future finished or was cancelled: it is done, whoever waits on it can move. */
  futureDone(event: FutureFinishEvent | FutureCancelEvent): void {
    const task = this.tasks.get(event.futureId)
    if (task === undefined) return
    this.#removeTask(task)
  }

  waitStart(event: WaitStartEvent): WaitNode {
    const timeout = event.timeout
    const timed = timeout !== undefined && timeout !== Infinity
    const task = event.taskId === undefined ? undefined : this.tasks.get(event.taskId)
    const wait: WaitNode = {
      type: 'wait',
      id: event.waitId,
      seq: ++this.#seq,
      taskId: event.taskId,
      task: undefined,
      orphaned: false,
      futureIds: event.futureIds,
      mode: event.mode === 'any' ? 'any' : 'all',
      timed,
      event,
      reported: false,
      release: undefined,
    }
    this.waits.set(wait.id, wait)
    for (const id of wait.futureIds) {
      // one waiter per future is the common case: a Set only for the second one
      const waiters = this.#waiters.get(id)
      if (waiters === undefined) this.#waiters.set(id, wait)
      else if (waiters instanceof Set) waiters.add(wait)
      else if (waiters !== wait) this.#waiters.set(id, new Set([waiters, wait]))
    }
    if (!timed) this.untimedWaits++
    if (task?.state === 'running') this.#attach(wait, task)
    else if (event.taskId !== undefined) {
      let early = this.#early.get(event.taskId)
      if (early === undefined) this.#early.set(event.taskId, (early = new Set()))
      early.add(wait)
    }
    return wait
  }

  waitEnd(event: WaitEndEvent): WaitNode | undefined {
    const wait = this.waits.get(event.waitId)
    if (wait === undefined) return undefined
    this.waits.delete(wait.id)
    for (const id of wait.futureIds) {
      const waiters = this.#waiters.get(id)
      if (waiters === wait) this.#waiters.delete(id)
      else if (waiters instanceof Set && waiters.delete(wait) && waiters.size === 0) this.#waiters.delete(id)
    }
    if (!wait.timed) this.untimedWaits--
    if (wait.task !== undefined) this.#detach(wait, wait.task)
    else if (wait.taskId !== undefined) {
      const early = this.#early.get(wait.taskId)
      if (early?.delete(wait) === true && early.size === 0) this.#early.delete(wait.taskId)
    }
    return wait
  }

  /** Worker death: the futures it ran fail (their finish may come later); the pool replaces it. */
  workerExit(event: WorkerExitEvent): void {
    for (const id of event.futureIds) {
      const task = this.tasks.get(id)
      if (task !== undefined) this.#removeTask(task)
    }
  }

  /** The known, not-done tasks a wait depends on, and whether some future is unknown/done. */
  pending(wait: WaitNode): { tasks: TaskNode[]; unknown: boolean } {
    if (wait.futureIds.length === 1) {
      const task = this.tasks.get(wait.futureIds[0] ?? -1)
      return task === undefined ? { tasks: [], unknown: true } : { tasks: [task], unknown: false }
    }
    const tasks = new Set<TaskNode>()
    let unknown = false
    for (const id of wait.futureIds) {
      const task = this.tasks.get(id)
      if (task === undefined) unknown = true
      else tasks.add(task)
    }
    return { tasks: [...tasks], unknown }
  }

  /** Open waits on a future. */
  waitersOf(futureId: number): ReadonlySet<WaitNode> {
    const waiters = this.#waiters.get(futureId)
    return waiters === undefined ? EMPTY : waiters instanceof Set ? waiters : new Set([waiters])
  }

  /**
   * Everything upstream of some nodes: who waits on them, directly or through other tasks and
   * pools (e.g. the main thread awaiting a task stuck in a cycle).
   */
  upstream(nodes: Iterable<GraphNode>): GraphNode[] {
    const seen = new Set<GraphNode>(nodes)
    const queue = [...seen]
    const found: GraphNode[] = []
    const visit = (node: GraphNode | undefined): void => {
      if (node === undefined || seen.has(node)) return
      seen.add(node)
      found.push(node)
      queue.push(node)
    }
    for (let node = queue.pop(); node !== undefined; node = queue.pop()) {
      if (node.type === 'wait') visit(node.task)
      else if (node.type === 'task') for (const wait of this.waitersOf(node.id)) visit(wait)
      else for (const task of node.queued) visit(task)
    }
    return found
  }

  /** Open waits whose waiter cannot move by itself (candidates for a full check). */
  *blockingWaits(): Generator<WaitNode> {
    for (const wait of this.waits.values()) {
      if (wait.timed) continue
      if (wait.task === undefined || isBlocked(wait.task)) yield wait
    }
  }

  #removeTask(task: TaskNode): void {
    this.tasks.delete(task.id)
    this.#early.delete(task.id)
    const executor = task.executor
    if (executor !== undefined) {
      if (task.state === 'queued') executor.queued.delete(task)
      else if (executor.holders.delete(task) && isBlocked(task)) executor.blockedHolders--
    }
    for (const wait of task.waits) {
      wait.task = undefined
      wait.orphaned = true
    }
    task.waits.clear()
    task.untimed = 0
    task.timed = 0
  }

  #attach(wait: WaitNode, task: TaskNode): void {
    const before = isBlocked(task)
    wait.task = task
    task.waits.add(wait)
    if (wait.timed) task.timed++
    else task.untimed++
    this.#blockedChanged(task, before)
  }

  #detach(wait: WaitNode, task: TaskNode): void {
    const before = isBlocked(task)
    wait.task = undefined
    if (!task.waits.delete(wait)) return
    if (wait.timed) task.timed--
    else task.untimed--
    this.#blockedChanged(task, before)
  }

  #blockedChanged(task: TaskNode, before: boolean): void {
    const after = isBlocked(task)
    if (before === after || !task.executor?.holders.has(task)) return
    task.executor.blockedHolders += after ? 1 : -1
  }
}
