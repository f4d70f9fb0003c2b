/**
 * The detection rule: the least fixpoint of "can still make progress" over the wait-for graph
 * (research/deadlock.md §3.5), then Tarjan's strongly connected components to split what is
 * stuck into cores (the cycle or knot itself) and tails (waiters hanging off a core).
 *
 * Liveness rules (a node is live when it can still move):
 * - a wait with a timeout is live (it ends by itself at the latest);
 * - a wait in mode `'all'` is live when every pending future is live; mode `'any'` when one is,
 *   or when one of its futures is unknown (hand-made, already done) to the detector;
 * - a running task is live when it is not in an untimed wait, or one of its waits is live;
 * - a queued task is live when its pool is live (or its executor is unknown);
 * - a pool is live when it has a free slot, or one of the tasks holding its slots is live.
 *
 * @module
 */
import { capacity, isBlocked } from './graph-nodes.js'
import type { ExecutorNode, GraphNode, TaskNode, WaitNode } from './graph-nodes.js'
import type { WaitForGraph } from './graph.js'

/** Deeper proofs fall back to the exact (iterative) analysis instead of growing the stack. */
const MAX_PROOF_DEPTH = 256

/**
 * A quick, sound check that `wait` can still end: `true` only when it can. Explores only until
 * a reason to be live is found (a free slot, a running task that is not blocked, a timeout), so
 * in a healthy program it touches a handful of nodes. `false` means "not proven": run
 * {@link analyze} for the exact answer.
 */
export function provablyLive(graph: WaitForGraph, wait: WaitNode): boolean {
  if (obviouslyLive(graph, wait)) return true
  const seen = new Set<GraphNode>()
  const proven = new Set<GraphNode>()

  const proveWait = (node: WaitNode, depth: number): boolean => {
    if (node.timed || proven.has(node)) return true
    if (seen.has(node) || depth > MAX_PROOF_DEPTH) return false
    seen.add(node)
    const { tasks, unknown } = graph.pending(node)
    const ok =
      node.mode === 'any'
        ? unknown || tasks.length === 0 || tasks.some((task) => proveTask(task, depth + 1))
        : tasks.every((task) => proveTask(task, depth + 1))
    if (ok) proven.add(node)
    return ok
  }

  const proveTask = (task: TaskNode, depth: number): boolean => {
    if (task.state === 'queued') return task.executor === undefined || provePool(task.executor, depth + 1)
    if (!isBlocked(task) || proven.has(task)) return true
    if (seen.has(task) || depth > MAX_PROOF_DEPTH) return false
    seen.add(task)
    for (const wait of task.waits) {
      if (!wait.timed && proveWait(wait, depth + 1)) {
        proven.add(task)
        return true
      }
    }
    return false
  }

  const provePool = (pool: ExecutorNode, depth: number): boolean => {
    if (pool.running < capacity(pool) || pool.blockedHolders < pool.running || proven.has(pool)) return true
    if (seen.has(pool) || depth > MAX_PROOF_DEPTH) return false
    seen.add(pool)
    for (const holder of pool.holders) {
      if (proveTask(holder, depth + 1)) {
        proven.add(pool)
        return true
      }
    }
    return false
  }

  return proveWait(wait, 0)
}

/**
 * The common case without allocating: every future of the wait is done or unknown, running in a
 * task that is not blocked, or queued in a pool with a free slot or an unblocked holder.
 */
function obviouslyLive(graph: WaitForGraph, wait: WaitNode): boolean {
  if (wait.timed) return true
  const any = wait.mode === 'any'
  let pending = 0
  for (const id of wait.futureIds) {
    const task = graph.task(id)
    if (task === undefined) {
      if (any) return true
      continue
    }
    pending++
    let ok: boolean
    if (task.state === 'running') ok = !isBlocked(task)
    else {
      const pool = task.executor
      ok = pool === undefined || pool.running < capacity(pool) || pool.blockedHolders < pool.running
    }
    if (ok && any) return true
    if (!ok && !any) return false
  }
  return !any || pending === 0
}

/** The exact analysis of the part of the graph reachable from some roots. */
export interface Analysis {
  /** Every node reachable from the roots, with its successors (what it waits for). */
  readonly successors: Map<GraphNode, readonly GraphNode[]>
  /** The reachable nodes that can no longer make progress. */
  readonly dead: Set<GraphNode>
}

/** The successors of a node in the "waits for" direction, and whether it is live by itself. */
function expand(graph: WaitForGraph, node: GraphNode): { next: GraphNode[]; seed: boolean; need: number } {
  switch (node.type) {
    case 'wait': {
      if (node.timed) return { next: [], seed: true, need: 0 }
      const { tasks, unknown } = graph.pending(node)
      const seed = tasks.length === 0 || (node.mode === 'any' && unknown)
      return { next: tasks, seed, need: node.mode === 'all' ? tasks.length : 1 }
    }
    case 'task': {
      if (node.state === 'queued') {
        return node.executor === undefined
          ? { next: [], seed: true, need: 1 }
          : { next: [node.executor], seed: false, need: 1 }
      }
      const next: GraphNode[] = []
      for (const wait of node.waits) if (!wait.timed) next.push(wait)
      return { next, seed: !isBlocked(node), need: 1 }
    }
    case 'pool':
      // An unblocked running task keeps the pool live; it may have no node (never waited), so
      // the pool is a seed then rather than waiting to hear from it.
      return { next: [...node.holders], seed: node.running < capacity(node) || node.blockedHolders < node.running, need: 1 }
  }
}

/**
 * Least fixpoint of liveness over everything reachable from `roots` (worklist propagation with
 * a counter per AND node: O(nodes + edges)).
 */
export function analyze(graph: WaitForGraph, roots: Iterable<GraphNode>): Analysis {
  const successors = new Map<GraphNode, readonly GraphNode[]>()
  const predecessors = new Map<GraphNode, GraphNode[]>()
  const need = new Map<GraphNode, number>()
  const live = new Set<GraphNode>()
  const queue: GraphNode[] = []
  const stack: GraphNode[] = [...roots]

  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (successors.has(node)) continue
    const { next, seed, need: count } = expand(graph, node)
    successors.set(node, next)
    need.set(node, count)
    if (seed) {
      live.add(node)
      queue.push(node)
    }
    for (const successor of next) {
      let list = predecessors.get(successor)
      if (list === undefined) predecessors.set(successor, (list = []))
      list.push(node)
      if (!successors.has(successor)) stack.push(successor)
    }
  }

  for (let node = queue.pop(); node !== undefined; node = queue.pop()) {
    for (const predecessor of predecessors.get(node) ?? []) {
      if (live.has(predecessor)) continue
      const left = (need.get(predecessor) ?? 1) - 1
      need.set(predecessor, left)
      if (left <= 0) {
        live.add(predecessor)
        queue.push(predecessor)
      }
    }
  }

  const dead = new Set<GraphNode>()
  for (const node of successors.keys()) if (!live.has(node)) dead.add(node)
  return { successors, dead }
}

/** One deadlock: a strongly connected core of stuck nodes and the stuck nodes that wait on it. */
export interface Deadlock {
  readonly core: Set<GraphNode>
  readonly tail: Set<GraphNode>
  /** The newest wait of the core: the one that closed the deadlock. */
  readonly victim: WaitNode
}

/**
 * Splits the stuck part of an analysis into deadlocks. Every stuck node waits on another stuck
 * node, so each one reaches a core (a strongly connected component with more than one node).
 */
export function findDeadlocks(analysis: Analysis): Deadlock[] {
  const { dead, successors } = analysis
  const deadSuccessors = (node: GraphNode): GraphNode[] =>
    (successors.get(node) ?? []).filter((next) => dead.has(next))
  const components = stronglyConnected(dead, deadSuccessors)
  const cores = components.filter((component) => component.length > 1)
  const coreOf = new Map<GraphNode, number>()
  cores.forEach((component, index) => {
    for (const node of component) coreOf.set(node, index)
  })

  // Tails: stuck nodes that reach a core, found by walking the edges backwards from it.
  const predecessors = new Map<GraphNode, GraphNode[]>()
  for (const node of dead) {
    for (const next of deadSuccessors(node)) {
      let list = predecessors.get(next)
      if (list === undefined) predecessors.set(next, (list = []))
      list.push(node)
    }
  }
  const owner = new Map<GraphNode, number>(coreOf)
  const tails = cores.map(() => new Set<GraphNode>())
  cores.forEach((component, index) => {
    const queue = [...component]
    for (let node = queue.pop(); node !== undefined; node = queue.pop()) {
      for (const before of predecessors.get(node) ?? []) {
        if (owner.has(before)) continue
        owner.set(before, index)
        tails[index]?.add(before)
        queue.push(before)
      }
    }
  })

  const deadlocks: Deadlock[] = []
  cores.forEach((component, index) => {
    let victim: WaitNode | undefined
    for (const node of component) {
      if (node.type === 'wait' && (victim === undefined || node.seq > victim.seq)) victim = node
    }
    if (victim !== undefined) deadlocks.push({ core: new Set(component), tail: tails[index] ?? new Set(), victim })
  })
  return deadlocks
}

/** Tarjan's algorithm, iterative (deep chains must not overflow the stack). */
export function stronglyConnected<N>(nodes: Iterable<N>, next: (node: N) => readonly N[]): N[][] {
  const index = new Map<N, number>()
  const low = new Map<N, number>()
  const onStack = new Set<N>()
  const stack: N[] = []
  const components: N[][] = []
  let counter = 0

  for (const start of nodes) {
    if (index.has(start)) continue
    const frames: { node: N; edges: readonly N[]; i: number }[] = []
    const open = (node: N): void => {
      index.set(node, counter)
      low.set(node, counter)
      counter++
      stack.push(node)
      onStack.add(node)
      frames.push({ node, edges: next(node), i: 0 })
    }
    open(start)
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as { node: N; edges: readonly N[]; i: number }
      if (frame.i < frame.edges.length) {
        const to = frame.edges[frame.i++] as N
        if (!index.has(to)) open(to)
        else if (onStack.has(to)) low.set(frame.node, Math.min(low.get(frame.node) ?? 0, index.get(to) ?? 0))
        continue
      }
      frames.pop()
      const parent = frames[frames.length - 1]
      if (parent !== undefined) low.set(parent.node, Math.min(low.get(parent.node) ?? 0, low.get(frame.node) ?? 0))
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: N[] = []
        for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
          onStack.delete(member)
          component.push(member)
          if (member === frame.node) break
        }
        components.push(component)
      }
    }
  }
  return components
}

/** The shortest way round the core from the victim back to it (for printing in ring order). */
export function ringFrom(deadlock: Deadlock, successors: Map<GraphNode, readonly GraphNode[]>): GraphNode[] {
  const start = deadlock.victim
  const previous = new Map<GraphNode, GraphNode>()
  const queue: GraphNode[] = [start]
  // A for-of over an array visits the items pushed while iterating: a breadth-first queue.
  for (const node of queue) {
    for (const next of successors.get(node) ?? []) {
      if (!deadlock.core.has(next)) continue
      if (next === start) {
        const path: GraphNode[] = [node]
        for (let at = previous.get(node); at !== undefined; at = previous.get(at)) path.push(at)
        return path.reverse()
      }
      if (previous.has(next)) continue
      previous.set(next, node)
      queue.push(next)
    }
  }
  return [start]
}
