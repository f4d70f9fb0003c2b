/**
 * The live wait-for graph, fed by the `@x/future` diagnostics events. Every handler is O(1)
 * (amortized) except `waitStart`/`workerExit`, which are O(number of futures in the event).
 *
 * Only what the events prove is modelled: a future without a `future:submit` (a hand-made
 * `Future`, or one submitted before the detector started) is unknown and therefore counts as
 * "can still finish"; so does an executor without `executor:create`.
 *
 * Kept cheap for the hot path (every task publishes submit/start/finish, and every `await` of a
 * pending future a wait): a task gets a node only once it waits or something looks at it (a
 * wait on it, a report); until then it is a slot in an id-indexed window, holding a record shared
 * with the other tasks of its pool, name (and worker, once running). Waits outside any task
 * (the main thread) are only recorded, and turned into nodes when an analysis needs them (they
 * can only hang off a deadlock, never be part of its core: nothing waits for the main thread).
 * Who-waits-on-what is computed when a deadlock is found instead of being indexed.
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
  WaitStartEvent,
  WorkerExitEvent,
} from '@x/future'
import { IdTable } from './id-table.js'
import { OutsideWaits } from './outside-waits.js'
import { isBlocked, NO_WAITS, taskNode, waitNode } from './graph-nodes.js'
import type { ExecutorNode, GraphNode, TaskNode, WaitNode } from './graph-nodes.js'

/** A named task queued in a known pool that no wait or report has looked at yet. */
interface QueuedEntry {
  readonly type: 'queued'
  readonly executor: ExecutorNode
  readonly name: string
}

/** A task running in a known pool that no wait or report has looked at yet. */
interface RunningEntry {
  readonly type: 'running'
  readonly executor: ExecutorNode
  readonly name: string | undefined
  readonly workerId: number
}

/**
 * What the graph keeps for a task of a known pool that nothing looked at yet: its pool (queued,
 * unnamed), its pool and name (queued), or where it runs. Most tasks are submitted, run and
 * finish without anybody waiting on them or them waiting: they never cost a node.
 */
type LightTask = ExecutorNode | QueuedEntry | RunningEntry

const NONE: readonly WaitNode[] = []
/** Slots of the cache of running entries (by worker id, see {@link WaitForGraph.futureStart}). */
const RUNNING_CACHE = 64

export class WaitForGraph {
  readonly executors = new Map<number, ExecutorNode>()
  /** Tasks without a node, by future id (see {@link WaitForGraph.task}). */
  readonly #light = new IdTable<LightTask>()
  /** The other known, not-done tasks: with a node. */
  readonly #nodes = new Map<number, TaskNode>()
  /** The executor of the last `future:submit` (most submits in a row go to the same one). */
  #lastExecutor: ExecutorNode | undefined
  /**
   * The entries are never changed, so tasks of the same pool, name (and worker) share one: the
   * last queued entry made, and the last running entry made per worker id (modulo the size).
   * A burst of tasks costs no object per task.
   */
  #lastQueued: QueuedEntry | undefined
  readonly #runningEntries: (RunningEntry | undefined)[] = new Array<RunningEntry | undefined>(RUNNING_CACHE).fill(undefined)
  /** Open waits made by tasks (including ones whose task is not running yet, or finished). */
  readonly waits = new Map<number, WaitNode>()
  /** Open waits outside any task (the main thread): recorded only, see {@link WaitForGraph.outsideWaits}. */
  readonly outside = new OutsideWaits()
  /** Waits of tasks not running yet (a backend may forward a worker's wait before its start). */
  readonly #early = new Map<number, Set<WaitNode>>()
  /** Open task waits without timeout (drives the safety-net timer). */
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
        running: 0,
        holders: new Set(),
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
    const caller = this.task(event.callerTaskId)
    if (caller?.executorId !== event.executorId) return undefined
    caller.shutdownOwnExecutor = true
    return caller
  }

  futureSubmit(event: FutureSubmitEvent): void {
    const id = event.futureId
    let executor = this.#lastExecutor
    if (executor?.id !== event.executorId) {
      executor = this.executors.get(event.executorId)
      this.#lastExecutor = executor
    }
    if (executor === undefined) {
      if (!this.#nodes.has(id)) this.#nodes.set(id, taskNode(id, event.executorId, undefined, event.name))
      return
    }
    // A second submit of the same future (a publisher's bug) must not shadow its node.
    if (this.#nodes.size > 0 && this.#nodes.has(id)) return
    const name = event.name
    if (name === undefined) this.#light.set(id, executor)
    else {
      const last = this.#lastQueued
      this.#light.set(id, last?.executor === executor && last.name === name ? last : (this.#lastQueued = { type: 'queued', executor, name }))
    }
  }

  /** The node of a known, not-done task (made on first use), `undefined` for an unknown one. */
  task(id: number): TaskNode | undefined {
    const node = this.#nodes.get(id)
    if (node !== undefined) return node
    const entry = this.#light.take(id)
    if (entry === undefined) return undefined
    const executor = entry.type === 'pool' ? entry : entry.executor
    const made = taskNode(id, executor.id, executor, entry.type === 'pool' ? undefined : entry.name)
    if (entry.type === 'running') {
      made.state = 'running'
      made.workerId = entry.workerId
      executor.holders.add(made) // already counted in `running`; not blocked (no waits yet)
    }
    this.#nodes.set(id, made)
    return made
  }

  /** Every running task of a pool, as nodes (makes the missing ones: for reports and snapshots). */
  holdersOf(pool: ExecutorNode): TaskNode[] {
    if (pool.holders.size < pool.running) {
      for (const [id, entry] of [...this.#light.entries()]) if (entry.type === 'running' && entry.executor === pool) this.task(id)
    }
    return [...pool.holders]
  }

  /** Every known, not-done task, in submit order (makes their nodes: for snapshots). */
  allTasks(): TaskNode[] {
    for (const id of [...this.#light.keys()]) this.task(id)
    return [...this.#nodes.values()].sort((a, b) => a.id - b.id)
  }

  /** Returns the waits the task had already started (see `#early`), now attached to it. */
  futureStart(event: FutureStartEvent): readonly WaitNode[] {
    const id = event.futureId
    const light = this.#light.get(id)
    if (light !== undefined && light.type !== 'running' && (this.#early.size === 0 || !this.#early.has(id))) {
      // the common case: running, nothing waited on it or by it yet: no node
      const executor = light.type === 'pool' ? light : light.executor
      this.#light.set(id, this.#runningEntry(executor, light.type === 'pool' ? undefined : light.name, event.workerId))
      executor.running++
      return NONE
    }
    let task = this.task(event.futureId)
    if (task === undefined) {
      // Submitted before the detector started: it still holds a slot from now on.
      this.futureSubmit({ futureId: event.futureId, executorId: event.executorId, name: undefined, callerTaskId: undefined })
      task = this.task(event.futureId)
      if (task === undefined) return NONE
    }
    if (task.state === 'running') return NONE
    task.state = 'running'
    task.workerId = event.workerId
    const executor = task.executor
    if (executor !== undefined) {
      executor.running++
      executor.holders.add(task)
      if (isBlocked(task)) executor.blockedHolders++
    }
    if (this.#early.size === 0) return NONE
    const early = this.#early.get(task.id)
    if (early === undefined) return NONE
    this.#early.delete(task.id)
    const attached = [...early].filter((wait) => this.waits.get(wait.id) === wait)
    for (const wait of attached) this.#attach(wait, task)
    return attached
  }

  /** The (shared) entry of a task of `executor` named `name` running on `workerId`. */
  #runningEntry(executor: ExecutorNode, name: string | undefined, workerId: number): RunningEntry {
    const slot = workerId & (RUNNING_CACHE - 1)
    const cached = this.#runningEntries[slot]
    if (cached?.executor === executor && cached.workerId === workerId && cached.name === name) return cached
    const made: RunningEntry = { type: 'running', executor, name, workerId }
    this.#runningEntries[slot] = made
    return made
  }

  /** A future finished or was cancelled: it is done, whoever waits on it can move. */
  futureDone(event: FutureFinishEvent | FutureCancelEvent): void {
    // never looked at: nothing else refers to it
    const light = this.#light.take(event.futureId)
    if (light !== undefined) {
      if (light.type === 'running') light.executor.running--
      return
    }
    if (this.#nodes.size === 0) return
    const task = this.#nodes.get(event.futureId)
    if (task !== undefined) this.#removeTask(task)
  }

  /**
   * Records a wait. Returns its node for a wait made by a task; a wait outside any task is only
   * recorded (`undefined`): it cannot close a deadlock.
   */
  waitStart(event: WaitStartEvent): WaitNode | undefined {
    if (event.taskId === undefined) {
      this.outside.add(event)
      return undefined
    }
    const task = this.task(event.taskId)
    const wait = waitNode(event, ++this.#seq)
    this.waits.set(wait.id, wait)
    if (!wait.timed) this.untimedWaits++
    if (task?.state === 'running') this.#attach(wait, task)
    else {
      let early = this.#early.get(event.taskId)
      if (early === undefined) this.#early.set(event.taskId, (early = new Set()))
      early.add(wait)
    }
    return wait
  }

  /** Forgets a task's wait (see {@link WaitForGraph.waits}). */
  waitEnd(wait: WaitNode): void {
    if (!this.waits.delete(wait.id)) return
    if (!wait.timed) this.untimedWaits--
    if (wait.task !== undefined) this.#detach(wait, wait.task)
    else if (wait.taskId !== undefined) {
      const early = this.#early.get(wait.taskId)
      if (early?.delete(wait) === true && early.size === 0) this.#early.delete(wait.taskId)
    }
  }

  /** Worker death: the futures it ran fail (their finish may come later); the pool replaces it. */
  workerExit(event: WorkerExitEvent): void {
    for (const id of event.futureIds) {
      const task = this.task(id)
      if (task !== undefined) this.#removeTask(task)
    }
  }

  /** The known, not-done tasks a wait depends on, and whether some future is unknown/done. */
  pending(wait: WaitNode): { tasks: TaskNode[]; unknown: boolean } {
    if (wait.futureIds.length === 1) {
      const task = this.task(wait.futureIds[0] ?? -1)
      return task === undefined ? { tasks: [], unknown: true } : { tasks: [task], unknown: false }
    }
    const tasks = new Set<TaskNode>()
    let unknown = false
    for (const id of wait.futureIds) {
      const task = this.task(id)
      if (task === undefined) unknown = true
      else tasks.add(task)
    }
    return { tasks: [...tasks], unknown }
  }

  /**
   * The open waits outside any task, as fresh nodes (not kept: each analysis makes its own).
   * Such a wait has no task, is never a victim and is never part of a deadlock's core.
   */
  outsideWaits(): WaitNode[] {
    return this.outside.open().map((event) => waitNode(event, 0))
  }

  /** Every open wait: the tasks' nodes and fresh nodes for the waits outside any task. */
  allWaits(): WaitNode[] {
    return [...this.waits.values(), ...this.outsideWaits()]
  }

  /**
   * Everything upstream of some nodes: who waits on them, directly or through other tasks and
   * pools (e.g. the main thread awaiting a task stuck in a cycle). Walks an index of the open
   * waits built for this call: deadlocks are rare, the waits common.
   */
  upstream(nodes: Iterable<GraphNode>): GraphNode[] {
    const waiters = new Map<number, WaitNode[]>()
    for (const wait of this.allWaits()) {
      for (const id of wait.futureIds) {
        const list = waiters.get(id)
        if (list === undefined) waiters.set(id, [wait])
        else list.push(wait)
      }
    }
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
      else if (node.type === 'task') for (const wait of waiters.get(node.id) ?? []) visit(wait)
      else for (const id of this.queuedIds(node)) visit(this.task(id))
    }
    return found
  }

  /**
   * The ids of the tasks queued in a pool, in submit order. A scan of every known task: for
   * reports (once per pool and report), not for the hot path.
   */
  queuedIds(pool: ExecutorNode): number[] {
    const ids: number[] = []
    for (const [id, entry] of this.#light.entries()) if (entry === pool || (entry.type === 'queued' && entry.executor === pool)) ids.push(id)
    for (const [id, task] of this.#nodes) if (task.executor === pool && task.state === 'queued') ids.push(id)
    // future ids grow with submit order
    return ids.sort((a, b) => a - b)
  }

  /** Open task waits whose waiter cannot move by itself (candidates for a full check). */
  *blockingWaits(): Generator<WaitNode> {
    for (const wait of this.waits.values()) {
      if (wait.timed) continue
      if (wait.task === undefined || isBlocked(wait.task)) yield wait
    }
  }

  #removeTask(task: TaskNode): void {
    this.#nodes.delete(task.id)
    if (this.#early.size > 0) this.#early.delete(task.id)
    const executor = task.executor
    if (executor !== undefined && task.state === 'running' && executor.holders.delete(task)) {
      executor.running--
      if (isBlocked(task)) executor.blockedHolders--
    }
    if (task.waits !== NO_WAITS) {
      for (const wait of task.waits) {
        wait.task = undefined
        wait.orphaned = true
      }
      task.waits = NO_WAITS
    }
    task.untimed = 0
    task.timed = 0
  }

  #attach(wait: WaitNode, task: TaskNode): void {
    const before = isBlocked(task)
    wait.task = task
    if (task.waits === NO_WAITS) task.waits = new Set([wait])
    else (task.waits as Set<WaitNode>).add(wait)
    if (wait.timed) task.timed++
    else task.untimed++
    this.#blockedChanged(task, before)
  }

  #detach(wait: WaitNode, task: TaskNode): void {
    const before = isBlocked(task)
    wait.task = undefined
    if (!(task.waits as Set<WaitNode>).delete(wait)) return
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
