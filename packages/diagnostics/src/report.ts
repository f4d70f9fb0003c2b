/**
 * Turns graph nodes into plain report data: who waits for whom, in words and as a drawable graph.
 *
 * @module
 */
import { fileURLToPath } from 'node:url'
import { capacity, isBlocked } from './graph-nodes.js'
import type { ExecutorNode, GraphNode, TaskNode, WaitNode } from './graph-nodes.js'
import type { WaitForGraph } from './graph.js'
import { ringFrom } from './liveness.js'
import type { Analysis, Deadlock } from './liveness.js'
import type {
  DeadlockAction,
  DeadlockKind,
  DeadlockReport,
  EdgeInfo,
  ExecutorInfo,
  GraphInfo,
  NodeRole,
  TaskInfo,
  WaitInfo,
} from './types.js'

const MAX_QUEUED_LISTED = 20

/**
 * Where `@x/future` lives (its package folder, as URL and as path): its frames (publishWait,
 * Future.result, the pool's dispatch) are noise in a wait stack. Source-mapped stacks point at
 * its src/, plain ones at its dist/: the package folder covers both.
 */
const futureFolders: readonly string[] = (() => {
  try {
    const root = new URL('..', import.meta.resolve('@x/future'))
    return [root.href, fileURLToPath(root)]
  } catch {
    return []
  }
})()
/** Frames of any installed `@x/*` package (the executors' own dispatch code). */
const installedX = /[\\/]node_modules[\\/]@x[\\/]/
const MAX_FRAMES = 12

/**
 * Keeps the frames that say where the user's code waited: drops `@x/future`'s own frames (and
 * those of any installed `@x/*` package), Node's internals and the Promise constructor, and keeps
 * at most 12.
 */
export function cleanStack(stack: string): string {
  const kept = stack
    .split('\n')
    .filter((line) => {
      const frame = line.trim()
      if (frame === '' || frame === 'at new Promise (<anonymous>)') return false
      if (frame.includes('(node:') || frame.startsWith('at node:')) return false
      return !installedX.test(frame) && !futureFolders.some((folder) => frame.includes(folder))
    })
  return kept.slice(0, MAX_FRAMES).join('\n')
}

/** `Task #7 "wait_on_b"` */
export function taskLabel(task: { id: number; name: string | null | undefined }): string {
  return task.name ? `Task #${String(task.id)} ${JSON.stringify(task.name)}` : `Task #${String(task.id)}`
}

function futureLabel(task: TaskNode): string {
  return task.name ? `Future #${String(task.id)} ${JSON.stringify(task.name)}` : `Future #${String(task.id)}`
}

function executorName(graph: WaitForGraph, executorId: number): string {
  return graph.executors.get(executorId)?.name ?? `executor #${String(executorId)}`
}

function where(graph: WaitForGraph, task: TaskNode): string {
  const worker = task.workerId === undefined ? '' : `, worker ${String(task.workerId)}`
  return `(${executorName(graph, task.executorId)}${worker})`
}

function waiterLabel(graph: WaitForGraph, wait: WaitNode): string {
  if (wait.task !== undefined) return `${taskLabel(wait.task)} ${where(graph, wait.task)}`
  return outsideLabel(wait)
}

function outsideLabel(wait: WaitNode): string {
  if (wait.orphaned && wait.taskId !== undefined) return `a wait left open by finished Task #${String(wait.taskId)}`
  if (wait.taskId !== undefined) return `Task #${String(wait.taskId)} (not seen by the detector)`
  return 'code outside any task (e.g. the main thread)'
}

/** The queues of the pools a report looks at, each listed once (a listing scans every task). */
class Queues {
  readonly #graph: WaitForGraph
  readonly #ids = new Map<ExecutorNode, { ids: number[]; position: Map<number, number> }>()

  constructor(graph: WaitForGraph) {
    this.#graph = graph
  }

  ids(pool: ExecutorNode): readonly number[] {
    return this.#queue(pool).ids
  }

  /** 1-based position of a queued task in its pool's queue, and the queue's length. */
  position(task: TaskNode): { position: number; of: number } | undefined {
    const pool = task.executor
    if (pool === undefined || task.state !== 'queued') return undefined
    const queue = this.#queue(pool)
    const position = queue.position.get(task.id)
    return position === undefined ? undefined : { position, of: queue.ids.length }
  }

  #queue(pool: ExecutorNode): { ids: number[]; position: Map<number, number> } {
    let queue = this.#ids.get(pool)
    if (queue === undefined) {
      const ids = this.#graph.queuedIds(pool)
      queue = { ids, position: new Map(ids.map((id, index) => [id, index + 1])) }
      this.#ids.set(pool, queue)
    }
    return queue
  }
}

function holderList(pool: ExecutorNode): string {
  return [...pool.holders].map((task) => taskLabel(task)).join(', ')
}

/** One sentence per edge of the core, starting at the victim and going round. */
function describeChain(graph: WaitForGraph, deadlock: Deadlock, successors: Analysis['successors']): string[] {
  const queues = new Queues(graph)
  const ring = ringFrom(deadlock, successors)
  const lines: string[] = []
  const described = new Set<GraphNode>()
  const describe = (node: GraphNode, next: GraphNode | undefined): void => {
    if (described.has(node)) return
    if (node.type === 'wait' && next?.type === 'task') {
      described.add(node)
      const head = `${waiterLabel(graph, node)} waits for ${futureLabel(next)}`
      if (next === node.task) {
        lines.push(`${head}, which is its own future: it can only finish after this wait ends`)
      } else if (next.state === 'running') {
        const worker = next.workerId === undefined ? '' : ` (worker ${String(next.workerId)})`
        lines.push(`${waiterLabel(graph, node)} waits for Future #${String(next.id)}, which is running as ${taskLabel(next)}${worker}`)
      } else {
        const at = queues.position(next)
        const position = at === undefined ? '' : ` (position ${String(at.position)} of ${String(at.of)})`
        lines.push(`${head}, which is queued${position} in ${executorName(graph, next.executorId)} and cannot start:`)
      }
    } else if (node.type === 'pool') {
      described.add(node)
      const used = `${String(node.running)} of ${String(capacity(node))}`
      lines.push(`every slot of ${node.name} (${used}) is held by a blocked task: ${holderList(node)}`)
    }
  }
  ring.forEach((node, i) => {
    describe(node, ring[(i + 1) % ring.length])
  })
  // Core members off the shortest ring (e.g. a second starved parent), newest wait first.
  const rest = [...deadlock.core].filter((node) => !described.has(node))
  rest.sort((a, b) => (b.type === 'wait' ? b.seq : 0) - (a.type === 'wait' ? a.seq : 0))
  for (const node of rest) {
    const next = (successors.get(node) ?? []).find((candidate) => deadlock.core.has(candidate))
    describe(node, next)
  }
  return lines
}

function classify(deadlock: Deadlock): DeadlockKind {
  const tasks = [...deadlock.core].filter((node): node is TaskNode => node.type === 'task')
  if ([...deadlock.core].some((node) => node.type === 'pool')) return 'starvation'
  if (tasks.length === 1) return tasks[0]?.shutdownOwnExecutor === true ? 'shutdown-from-task' : 'self-wait'
  return 'cycle'
}

function summarize(graph: WaitForGraph, kind: DeadlockKind, deadlock: Deadlock): string {
  const core = [...deadlock.core]
  const tasks = core.filter((node): node is TaskNode => node.type === 'task')
  const running = tasks.filter((task) => task.state === 'running')
  const executorIds = [...new Set(running.map((task) => task.executorId))].sort((a, b) => a - b)
  const executors = executorIds.map((id) => executorName(graph, id))
  const place = executors.length === 1 ? `in ${executors[0] ?? ''}` : `across ${executors.join(', ')}`
  switch (kind) {
    case 'cycle':
      return `cycle of ${String(running.length)} tasks ${place}`
    case 'starvation': {
      const pools = core.filter((node): node is ExecutorNode => node.type === 'pool')
      const described = pools.map((pool) => `${pool.name} (${String(pool.running)}/${String(capacity(pool))} slots, all held by blocked tasks)`)
      return `pool starvation in ${described.join(' and ')}`
    }
    case 'self-wait':
      return `${running[0] === undefined ? 'a task' : taskLabel(running[0])} waits for its own future`
    case 'shutdown-from-task':
      return running[0] === undefined ? 'a task shut down its own executor' : summarizeShutdown(graph, running[0])
  }
}

const HINTS: Record<DeadlockKind, string> = {
  cycle:
    "tasks wait for each other's futures. Make one side not wait (return the future, or use addDoneCallback), or give one of the waits a timeout.",
  starvation:
    "a task waits for work queued on a pool whose every worker is held by a blocked task. Submit the subtask to another executor, raise maxWorkers, don't wait inside the task, or use detectDeadlocks({ onDeadlock: 'compensate' }).",
  'self-wait':
    "a task's own future can only finish after the task returns. Return the value instead of waiting for your own future.",
  'shutdown-from-task':
    "shutdown({ wait: true }) inside a task waits for that task itself. Call shutdown({ wait: false }) inside tasks, or shut the executor down from outside.",
}

/** Builds the drawable part (executors, tasks, waits, edges) for nodes with given roles. */
export function graphInfo(
  graph: WaitForGraph,
  roles: Map<GraphNode, NodeRole>,
  edgeRole: (from: GraphNode, to: GraphNode) => NodeRole | undefined,
  successors: (node: GraphNode) => readonly GraphNode[],
  victim: WaitNode | undefined,
): GraphInfo {
  const executors: ExecutorInfo[] = []
  const tasks: TaskInfo[] = []
  const waits: WaitInfo[] = []
  const edges: EdgeInfo[] = []
  const queues = new Queues(graph)
  const viewNode = (node: GraphNode): string => {
    if (node.type === 'task') return `T${String(node.id)}`
    if (node.type === 'pool') return `P${String(node.id)}`
    return node.task === undefined ? `W${String(node.id)}` : `T${String(node.task.id)}`
  }

  for (const [node, role] of roles) {
    if (node.type === 'pool') executors.push(executorInfo(graph, queues, node, role))
    else if (node.type === 'task') tasks.push(taskInfo(queues, node, role))
    else waits.push(waitInfo(node, role, node === victim))
    for (const next of successors(node)) {
      const label = edgeRole(node, next)
      if (label === undefined) continue
      if (node.type === 'task') continue // a task's edge to its wait is folded into the wait's edges
      if (node.type === 'wait') {
        edges.push({ from: viewNode(node), to: viewNode(next), label: 'waits for', waitId: node.id, role: label })
      } else if (next.type === 'task') {
        edges.push({ from: viewNode(node), to: viewNode(next), label: 'slot held by', waitId: null, role: label })
      }
    }
    if (node.type === 'task' && node.state === 'queued' && node.executor !== undefined && roles.has(node.executor)) {
      const label = edgeRole(node, node.executor)
      if (label !== undefined) {
        edges.push({ from: viewNode(node), to: viewNode(node.executor), label: 'queued in', waitId: null, role: label })
      }
    }
  }
  const byId = (a: { id: number }, b: { id: number }): number => a.id - b.id
  executors.sort(byId)
  tasks.sort(byId)
  waits.sort(byId)
  return { executors, tasks, waits, edges }
}

function executorInfo(graph: WaitForGraph, queues: Queues, pool: ExecutorNode, role: NodeRole): ExecutorInfo {
  const ids = queues.ids(pool)
  return {
    node: `P${String(pool.id)}`,
    id: pool.id,
    kind: pool.kind,
    name: pool.name,
    maxWorkers: pool.maxWorkers,
    lent: pool.lent,
    shutdown: pool.shutdown,
    slots: graph
      .holdersOf(pool)
      .map((task) => ({ workerId: task.workerId ?? null, taskId: task.id, taskName: task.name ?? null, blocked: isBlocked(task) }))
      .sort((a, b) => (a.workerId ?? -1) - (b.workerId ?? -1) || a.taskId - b.taskId),
    queued: ids.slice(0, MAX_QUEUED_LISTED),
    queuedCount: ids.length,
    role,
  }
}

function taskInfo(queues: Queues, task: TaskNode, role: NodeRole): TaskInfo {
  return {
    node: `T${String(task.id)}`,
    id: task.id,
    name: task.name ?? null,
    executorId: task.executorId,
    state: task.state,
    workerId: task.workerId ?? null,
    queuePosition: queues.position(task)?.position ?? null,
    blocked: isBlocked(task),
    waitIds: [...task.waits].map((wait) => wait.id),
    role,
  }
}

function waitInfo(wait: WaitNode, role: NodeRole, victim: boolean): WaitInfo {
  let stack: string
  try {
    stack = wait.site ? cleanStack(wait.event.stack) : '    (wait site not recorded: detectDeadlocks({ waitSites: false }))'
  } catch {
    stack = ''
  }
  return {
    node: wait.task === undefined ? `W${String(wait.id)}` : `T${String(wait.task.id)}`,
    id: wait.id,
    taskId: wait.taskId ?? null,
    orphaned: wait.orphaned,
    futureIds: [...wait.futureIds],
    mode: wait.mode,
    timeout: wait.timed ? (wait.event.timeout ?? null) : null,
    stack,
    victim,
    role,
  }
}

/** The report of one deadlock, as plain data. */
export function buildReport(
  graph: WaitForGraph,
  analysis: Analysis,
  deadlock: Deadlock,
  action: DeadlockAction,
  note: string | null,
): DeadlockReport {
  const roles = new Map<GraphNode, NodeRole>()
  for (const node of deadlock.core) roles.set(node, 'core')
  for (const node of deadlock.tail) roles.set(node, 'tail')
  // Context: the executors every involved task runs or waits in (e.g. a pool with free slots).
  for (const node of [...roles.keys()]) {
    if (node.type === 'task' && node.executor !== undefined && !roles.has(node.executor)) roles.set(node.executor, 'other')
  }
  const kind = classify(deadlock)
  const successors = (node: GraphNode): readonly GraphNode[] => analysis.successors.get(node) ?? []
  const edgeRole = (from: GraphNode, to: GraphNode): NodeRole | undefined => {
    if (!analysis.dead.has(from) || !analysis.dead.has(to) || !roles.has(to)) return undefined
    return deadlock.core.has(from) && deadlock.core.has(to) ? 'core' : 'tail'
  }
  const info = graphInfo(graph, roles, edgeRole, successors, deadlock.victim)
  const chain = describeChain(graph, deadlock, analysis.successors)
  const tails = [...deadlock.tail].filter((node): node is WaitNode => node.type === 'wait')
  for (const wait of tails.sort((a, b) => a.seq - b.seq)) {
    const waited = successors(wait).filter((next): next is TaskNode => next.type === 'task' && analysis.dead.has(next))
    const targets = waited.map((task) => futureLabel(task)).join(', ')
    chain.push(`also waiting (not part of the deadlock): ${waiterLabel(graph, wait)} waits for ${targets}`)
  }
  return {
    kind,
    summary: summarize(graph, kind, deadlock),
    chain,
    hint: HINTS[kind],
    action,
    victimWaitId: deadlock.victim.id,
    victimTaskId: deadlock.victim.taskId ?? null,
    note,
    ...info,
  }
}

/**
 * The report for `shutdown({ wait: true })` called by a task of the executor itself: that call
 * would wait for the calling task. No wait is involved: the executor's own guard rejects it.
 */
export function buildShutdownReport(graph: WaitForGraph, task: TaskNode, action: DeadlockAction): DeadlockReport {
  const roles = new Map<GraphNode, NodeRole>([[task, 'core']])
  if (task.executor !== undefined) roles.set(task.executor, 'core')
  const info = graphInfo(graph, roles, () => undefined, () => [], undefined)
  const executor = executorName(graph, task.executorId)
  const edges = task.executor === undefined
    ? info.edges
    : [
        ...info.edges,
        { from: `T${String(task.id)}`, to: `P${String(task.executorId)}`, label: 'shuts down' as const, waitId: null, role: 'core' as const },
        { from: `P${String(task.executorId)}`, to: `T${String(task.id)}`, label: 'slot held by' as const, waitId: null, role: 'core' as const },
      ]
  return {
    kind: 'shutdown-from-task',
    summary: summarizeShutdown(graph, task),
    chain: [
      `${taskLabel(task)} ${where(graph, task)} called shutdown({ wait: true }) on ${executor}, which waits for every task of ${executor} to finish,`,
      `including ${taskLabel(task)} itself: it can only finish after shutdown() returns`,
    ],
    hint: HINTS['shutdown-from-task'],
    action,
    victimWaitId: null,
    victimTaskId: task.id,
    note: null,
    ...info,
    edges,
  }
}

function summarizeShutdown(graph: WaitForGraph, task: TaskNode): string {
  return `${taskLabel(task)} called shutdown({ wait: true }) on its own executor ${executorName(graph, task.executorId)}, which waits for that task (cannot join current thread)`
}
