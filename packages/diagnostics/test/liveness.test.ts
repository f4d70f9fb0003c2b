// The detection rule against a brute-force reference on random wait-for graphs: the worklist
// fixpoint (analyze), the quick proof (provablyLive) and the core/tail split (findDeadlocks).
import { describe, expect, it } from 'vitest'
import type { WaitStartEvent } from '@x/future'
import { WaitForGraph } from '../src/graph.js'
import { capacity, isBlocked } from '../src/graph-nodes.js'
import type { GraphNode, TaskNode, WaitNode } from '../src/graph-nodes.js'
import { analyze, findDeadlocks, provablyLive, ringFrom, stronglyConnected } from '../src/liveness.js'
import { random } from './helpers/random.js'


function waitEvent(waitId: number, taskId: number | undefined, futureIds: number[], mode: 'all' | 'any', timeout?: number): WaitStartEvent {
  return { waitId, taskId, futureIds, mode, timeout, stack: '', reject: () => undefined }
}

/** A wait outside any task on `futureId`, as the analysis sees it. */
function waitNode0(graph: WaitForGraph, futureId: number): WaitNode {
  graph.waitStart({ ...waitEvent(99, undefined, [futureId], 'all'), ended: false })
  return graph.allWaits().find((wait) => wait.id === 99) ?? expect.unreachable('no outside wait')
}

function taskWait(wait: WaitNode | undefined): WaitNode {
  if (wait === undefined) throw new Error('a wait made by a task must get a node')
  return wait
}

/** A random graph: a few pools, queued and running tasks, waits on tasks and on unknown futures. */
function randomGraph(seed: number): WaitForGraph {
  const next = random(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T
  const graph = new WaitForGraph()
  const pools = 1 + Math.floor(next() * 3)
  for (let p = 1; p <= pools; p++) {
    graph.executorCreate({ executorId: p, kind: 'test', name: `P${String(p)}`, maxWorkers: 1 + Math.floor(next() * 3), lendWorker: () => undefined })
  }
  const ids: number[] = []
  let id = 100
  const tasks = 2 + Math.floor(next() * 9)
  for (let t = 0; t < tasks; t++) {
    const executorId = 1 + Math.floor(next() * pools)
    const futureId = id++
    ids.push(futureId)
    graph.futureSubmit({ futureId, executorId, name: undefined, callerTaskId: undefined })
    const executor = graph.executors.get(executorId)
    if (executor !== undefined && executor.running < executor.maxWorkers && next() < 0.7) {
      graph.futureStart({ futureId, executorId, workerId: executor.running })
    }
  }
  let waitId = 1
  for (const task of graph.allTasks().filter((t) => t.state === 'running')) {
    const count = next() < 0.8 ? 1 : next() < 0.5 ? 0 : 2
    for (let w = 0; w < count; w++) {
      const futureIds = Array.from({ length: 1 + Math.floor(next() * 2) }, () => (next() < 0.1 ? 9_999 : pick(ids)))
      graph.waitStart(waitEvent(waitId++, task.id, futureIds, next() < 0.7 ? 'all' : 'any', next() < 0.1 ? 10 : undefined))
    }
  }
  for (let w = 0; w < 2; w++) graph.waitStart(waitEvent(waitId++, undefined, [pick(ids)], 'all'))
  return graph
}

/** The reference: iterate the rules of §3.5 over every node until nothing changes. */
function bruteForceLive(graph: WaitForGraph, waits: readonly WaitNode[]): Set<GraphNode> {
  const nodes: GraphNode[] = [...graph.executors.values(), ...graph.allTasks(), ...waits]
  const live = new Set<GraphNode>()
  const liveTask = (task: TaskNode): boolean => live.has(task)
  let changed = true
  while (changed) {
    changed = false
    for (const node of nodes) {
      if (live.has(node)) continue
      let ok: boolean
      if (node.type === 'wait') {
        const { tasks, unknown } = graph.pending(node)
        ok = node.timed || tasks.length === 0 || (node.mode === 'all' ? tasks.every(liveTask) : unknown || tasks.some(liveTask))
      } else if (node.type === 'task') {
        ok =
          node.state === 'queued'
            ? node.executor === undefined || live.has(node.executor)
            : !isBlocked(node) || [...node.waits].some((wait) => !wait.timed && live.has(wait))
      } else {
        ok = node.holders.size < capacity(node) || [...node.holders].some(liveTask)
      }
      if (ok) {
        live.add(node)
        changed = true
      }
    }
  }
  return live
}

describe('liveness on random graphs', () => {
  it('analyze() agrees with the brute-force fixpoint; provablyLive() never claims a stuck wait can end', () => {
    let deadlocked = 0
    for (let seed = 1; seed <= 1_500; seed++) {
      const graph = randomGraph(seed)
      // the waits outside any task are materialized per call: take them once
      const waits = graph.allWaits()
      expect(waits.filter((wait) => wait.taskId === undefined)).toHaveLength(2)
      // the analysis first: running tasks nothing looked at have no node yet (the reference
      // makes every node)
      const analysis = analyze(graph, waits)
      const proven = new Map(waits.map((wait) => [wait, provablyLive(graph, wait)]))
      const reference = bruteForceLive(graph, waits)
      for (const wait of waits) {
        const expected = reference.has(wait)
        expect({ seed, wait: wait.id, live: !analysis.dead.has(wait) }).toEqual({ seed, wait: wait.id, live: expected })
        if (proven.get(wait) === true) expect({ seed, wait: wait.id, provenLive: expected }).toEqual({ seed, wait: wait.id, provenLive: true })
      }
      // Every stuck node is in exactly one deadlock, as core or tail; cores are cycles.
      const deadlocks = findDeadlocks(analysis)
      const covered = new Set<GraphNode>()
      for (const deadlock of deadlocks) {
        expect(deadlock.core.size).toBeGreaterThan(1)
        expect(deadlock.core.has(deadlock.victim)).toBe(true)
        for (const node of deadlock.core) {
          if (node.type === 'wait') expect(node.seq).toBeLessThanOrEqual(deadlock.victim.seq)
        }
        const ring = ringFrom(deadlock, analysis.successors)
        expect(ring[0]).toBe(deadlock.victim)
        expect(ring.length).toBeGreaterThan(1)
        for (const node of [...deadlock.core, ...deadlock.tail]) {
          expect(covered.has(node)).toBe(false)
          covered.add(node)
        }
      }
      expect(covered).toEqual(analysis.dead)
      if (analysis.dead.size > 0) deadlocked++
    }
    // the generator produces both outcomes, so the comparison means something
    expect(deadlocked).toBeGreaterThan(100)
    expect(deadlocked).toBeLessThan(1_400)
  })

  it('provablyLive() proves the common healthy cases without the full analysis', () => {
    const graph = new WaitForGraph()
    graph.executorCreate({ executorId: 1, kind: 'test', name: 'P', maxWorkers: 2, lendWorker: () => undefined })
    graph.futureSubmit({ futureId: 1, executorId: 1, name: undefined, callerTaskId: undefined })
    graph.futureStart({ futureId: 1, executorId: 1, workerId: 0 })
    graph.futureSubmit({ futureId: 2, executorId: 1, name: undefined, callerTaskId: 1 })
    const wait = taskWait(graph.waitStart(waitEvent(1, 1, [2], 'all')))
    expect(provablyLive(graph, wait)).toBe(true) // a free slot
    graph.futureSubmit({ futureId: 3, executorId: 1, name: undefined, callerTaskId: undefined })
    graph.futureStart({ futureId: 3, executorId: 1, workerId: 1 })
    expect(provablyLive(graph, wait)).toBe(true) // full, but task 3 is running unblocked
    const waitOf3 = taskWait(graph.waitStart(waitEvent(2, 3, [2], 'all')))
    expect(provablyLive(graph, wait)).toBe(false)
    expect(provablyLive(graph, waitOf3)).toBe(false)
  })
})

describe('graph bookkeeping', () => {
  it('a task that finishes without a start (the backend learned both at once) leaves nothing behind', () => {
    const graph = new WaitForGraph()
    graph.executorCreate({ executorId: 1, kind: 'test', name: 'P', maxWorkers: 1, lendWorker: () => undefined })
    const pool = graph.executors.get(1) ?? expect.unreachable('no pool')
    graph.futureSubmit({ futureId: 1, executorId: 1, name: undefined, callerTaskId: undefined })
    graph.futureSubmit({ futureId: 2, executorId: 1, name: 'named', callerTaskId: undefined })
    graph.futureSubmit({ futureId: 3, executorId: 1, name: undefined, callerTaskId: undefined })
    expect([graph.queuedIds(pool).length, graph.queuedIds(pool)]).toEqual([3, [1, 2, 3]])
    // looking at a queued task makes its node; it keeps its place in the queue
    expect(graph.task(2)?.name).toBe('named')
    expect(graph.queuedIds(pool)).toEqual([1, 2, 3])
    graph.futureDone({ futureId: 1, failed: false })
    graph.futureDone({ futureId: 2, failed: false })
    expect([graph.queuedIds(pool).length, graph.queuedIds(pool), pool.running]).toEqual([1, [3], 0])
    graph.futureStart({ futureId: 3, executorId: 1, workerId: 0 })
    // running without a node until something looks at it
    expect([graph.queuedIds(pool).length, pool.running, pool.holders.size]).toEqual([0, 1, 0])
    expect(graph.holdersOf(pool).map((task) => [task.id, task.state, task.workerId])).toEqual([[3, 'running', 0]])
    expect([pool.running, pool.holders.size]).toEqual([1, 1])
    // a second submit of a known future (a publisher's bug) changes nothing
    graph.futureSubmit({ futureId: 3, executorId: 1, name: undefined, callerTaskId: undefined })
    expect([graph.queuedIds(pool).length, graph.task(3)?.state]).toEqual([0, 'running'])
    graph.futureDone({ futureId: 3, failed: true })
    expect([graph.queuedIds(pool).length, pool.running, pool.holders.size, graph.allTasks()]).toEqual([0, 0, 0, []])
  })

  it('a running task without a node keeps its pool live; once it waits it is a blocked holder', () => {
    const graph = new WaitForGraph()
    graph.executorCreate({ executorId: 1, kind: 'test', name: 'P', maxWorkers: 1, lendWorker: () => undefined })
    const pool = graph.executors.get(1) ?? expect.unreachable('no pool')
    graph.futureSubmit({ futureId: 1, executorId: 1, name: 'runner', callerTaskId: undefined })
    graph.futureStart({ futureId: 1, executorId: 1, workerId: 0 })
    graph.futureSubmit({ futureId: 2, executorId: 1, name: undefined, callerTaskId: 1 })
    // the main thread waits on the queued task: the pool is full, but its holder is not blocked
    const outside = waitNode0(graph, 2)
    expect(provablyLive(graph, outside)).toBe(true)
    expect(analyze(graph, [outside]).dead.size).toBe(0)
    // the holder now waits on the task queued behind it: starvation, and it has a node
    const wait = taskWait(graph.waitStart(waitEvent(5, 1, [2], 'all')))
    expect([pool.running, pool.holders.size, pool.blockedHolders]).toEqual([1, 1, 1])
    expect(provablyLive(graph, wait)).toBe(false)
    expect(findDeadlocks(analyze(graph, [wait]))).toHaveLength(1)
  })

  it('waits outside any task are kept until they end, whichever way the event says so', () => {
    const graph = new WaitForGraph()
    let ended = false
    const flagged = { ...waitEvent(1, undefined, [7], 'all'), get ended() { return ended } }
    expect(graph.waitStart(flagged)).toBeUndefined()
    expect(graph.waitStart(waitEvent(2, undefined, [8], 'any'))).toBeUndefined()
    expect(graph.allWaits().map((wait) => [wait.id, wait.task, wait.mode])).toEqual([[1, undefined, 'all'], [2, undefined, 'any']])
    ended = true
    graph.outside.end({ waitId: 2, reason: 'settled' })
    expect(graph.allWaits()).toEqual([])
  })
})

describe('stronglyConnected (Tarjan, iterative)', () => {
  it('finds the components of a small graph', () => {
    const edges: Record<string, string[]> = { a: ['b'], b: ['c'], c: ['a', 'd'], d: ['e'], e: ['d'], f: [] }
    const components = stronglyConnected(Object.keys(edges), (node) => edges[node] ?? [])
    expect(components.map((component) => [...component].sort().join('')).sort()).toEqual(['abc', 'de', 'f'])
  })

  it('handles a chain of 100,000 nodes without overflowing the stack', () => {
    const n = 100_000
    const nodes = Array.from({ length: n }, (_, i) => i)
    const components = stronglyConnected(nodes, (i) => [(i + 1) % n])
    expect(components).toHaveLength(1)
    expect(components[0]).toHaveLength(n)
  })
})
