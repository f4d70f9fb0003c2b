/**
 * `detectDeadlocks()`: subscribes to the `@x/future` diagnostics channels, keeps the live
 * wait-for graph and acts when a wait can never end.
 *
 * @module
 */
import diagnosticsChannel from 'node:diagnostics_channel'
import { channelNames } from '@x/future'
import type {
  ExecutorCreateEvent,
  ExecutorShutdownEvent,
  FutureStartEvent,
  WaitEndEvent,
  WaitStartEvent,
  WorkerExitEvent,
} from '@x/future'
import { DeadlockError } from './errors.js'
import { WaitForGraph } from './graph.js'
import type { ExecutorNode, GraphNode, TaskNode, WaitNode } from './graph-nodes.js'
import { analyze, findDeadlocks, provablyLive, ringFrom } from './liveness.js'
import type { Analysis, Deadlock } from './liveness.js'
import { reportToText } from './render.js'
import { buildReport, buildShutdownReport, graphInfo } from './report.js'
import type { DeadlockAction, DeadlockReport, NodeRole } from './types.js'
import { parseOnDeadlock, parseWaitSites } from './detector-options.js'
import type { DetectDeadlocksOptions, OnDeadlock } from './detector-options.js'
import { Snapshot } from './snapshot.js'
import type { GraphSnapshot } from './snapshot.js'

/**
 * A running deadlock detector (see {@link detectDeadlocks}).
 *
 * @since 0.1.0
 */
export interface DeadlockDetector extends Disposable {
  /** The live wait-for graph: executors, tasks, open waits, with deadlocked parts marked. */
  snapshot(): GraphSnapshot
  /** Unsubscribes, stops the safety-net timer and gives back lent workers. Idempotent. */
  stop(): void
  /** Same as {@link DeadlockDetector.stop}, for `using detector = detectDeadlocks()`. */
  [Symbol.dispose](): void
}

/**
 * `@x/diagnostics:deadlock`: published with `{ report }` for every deadlock found, whatever
 * `onDeadlock` says (for logging and APM tools).
 *
 * @since 0.1.0
 */
export const deadlockChannel: diagnosticsChannel.Channel = diagnosticsChannel.channel('@x/diagnostics:deadlock')

const FIRST_RECHECK_MS = 1_000
const MAX_RECHECK_MS = 10_000

/**
 * Starts detecting deadlocks among the tasks of every executor that publishes the `@x/future`
 * diagnostics events (`AsyncPoolExecutor`, `ThreadPoolExecutor`, `ProcessPoolExecutor`, and any
 * third-party backend that publishes the same events). Start it before creating the executors:
 * executors and tasks it has not seen are assumed to be able to make progress.
 *
 * A deadlock is reported only when the events prove it: waits with a timeout, futures already
 * done, hand-made futures (nobody knows who resolves them) and pools with a free worker never
 * are. It checks when an untimed wait starts on a future that is not done and when a pool loses a
 * worker, plus an unref'd timer while untimed waits exist (never keeps the process alive).
 *
 * @example
 * ```ts
 * import { AsyncPoolExecutor } from '@x/future'
 * import { detectDeadlocks, isDeadlockError } from '@x/diagnostics'
 *
 * using detector = detectDeadlocks()          // onDeadlock: 'throw'
 * const pool = new AsyncPoolExecutor({ maxWorkers: 1 })
 * const outer = pool.submit(async () => {
 *   const inner = pool.submit(async () => 42)
 *   return await inner                         // rejects with DeadlockError: pool starvation
 * })
 * await outer.exception().then((error) => isDeadlockError(error) && console.log(error.message))
 * ```
 *
 * @throws TypeError when `options` is not an object, names an unknown option, or `onDeadlock`
 * or `waitSites` has a value they do not take.
 * @since 0.1.0
 */
export function detectDeadlocks(options?: DetectDeadlocksOptions): DeadlockDetector {
  return new Detector(parseOnDeadlock(options), parseWaitSites(options))
}

class Detector implements DeadlockDetector {
  readonly #graph = new WaitForGraph()
  readonly #onDeadlock: OnDeadlock
  readonly #waitSites: boolean
  readonly #unsubscribe: (() => void)[] = []
  readonly #loans = new Set<WaitNode>()
  #timer: NodeJS.Timeout | undefined
  #delay = FIRST_RECHECK_MS
  #stopped = false

  constructor(onDeadlock: OnDeadlock, waitSites: boolean) {
    this.#onDeadlock = onDeadlock
    this.#waitSites = waitSites
    const graph = this.#graph
    this.#on(channelNames.executorCreate, (message) => {
      graph.executorCreate(message as ExecutorCreateEvent)
    })
    this.#on(channelNames.executorShutdown, (message) => {
      const caller = graph.executorShutdown(message as ExecutorShutdownEvent)
      if (caller !== undefined && !this.#stopped) this.#shutdownFromTask(caller)
    })
    // The hot events (every task submits and finishes, most awaits wait) go straight to the graph.
    this.#on(channelNames.futureSubmit, graph.futureSubmit.bind(graph) as (message: unknown) => void)
    this.#on(channelNames.futureStart, (message) => {
      // waits forwarded before the start: the task is blocked from now on
      for (const wait of graph.futureStart(message as FutureStartEvent)) if (!wait.timed) this.#check(wait)
    })
    const futureDone = graph.futureDone.bind(graph) as (message: unknown) => void
    this.#on(channelNames.futureFinish, futureDone)
    this.#on(channelNames.futureCancel, futureDone)
    const outside = graph.outside
    this.#on(channelNames.waitStart, (message) => {
      const event = message as WaitStartEvent
      // A wait outside any task (the main thread) is only recorded: it can hang off a deadlock
      // (a tail, found when the deadlock is), never close one, since nothing waits for it.
      if (event.taskId === undefined) outside.add(event)
      else this.#waitStarted(event)
    })
    this.#on(channelNames.waitEnd, (message) => {
      const event = message as WaitEndEvent
      const wait = graph.waits.size === 0 ? undefined : graph.waits.get(event.waitId)
      if (wait === undefined) outside.end(event)
      else this.#waitEnded(wait)
    })
    this.#on(channelNames.workerExit, (message) => {
      graph.workerExit(message as WorkerExitEvent)
      this.#fullCheck()
    })
  }

  #on(name: string, listener: (message: unknown) => void): void {
    diagnosticsChannel.subscribe(name, listener)
    this.#unsubscribe.push(() => diagnosticsChannel.unsubscribe(name, listener))
  }

  #waitStarted(event: WaitStartEvent): void {
    const wait = this.#graph.waitStart(event)
    if (wait === undefined || wait.timed) return
    // Capture the wait site now: @x/future records it only while the event is being published,
    // when the waiter is still on the call stack; a report formats it later, if ever. Without
    // waitSites, only a wait that closes a deadlock gets its site (in #act, still in the publish).
    if (this.#waitSites) captureSite(wait)
    else wait.site = false
    this.#armTimer()
    this.#check(wait)
  }

  #waitEnded(wait: WaitNode): void {
    const graph = this.#graph
    const task = wait.task
    graph.waitEnd(wait)
    if (graph.untimedWaits === 0) this.#disarmTimer()
    if (wait.release !== undefined) {
      const release = wait.release
      wait.release = undefined
      this.#loans.delete(wait)
      release()
      // The pool is back to its own size: work that relied on the loan may now starve.
      queueMicrotask(() => {
        this.#fullCheck()
      })
    }
    // A task awaiting several things at once (Promise.all) is stuck once the live ones end.
    if (task !== undefined) for (const other of task.waits) if (!other.timed) this.#check(other)
  }

  #check(wait: WaitNode): void {
    if (this.#stopped || provablyLive(this.#graph, wait)) return
    this.#handle([wait])
  }

  #fullCheck(): void {
    if (this.#stopped || this.#graph.untimedWaits === 0) return
    this.#handle([...this.#graph.blockingWaits()])
  }

  #handle(roots: GraphNode[]): void {
    let analysis = analyze(this.#graph, roots)
    if (analysis.dead.size === 0) return
    // Add the waiters upstream of what is stuck (the main thread awaiting a stuck task): the
    // closure of the roots only goes downstream.
    const upstream = this.#graph.upstream(analysis.dead)
    if (upstream.length > 0) analysis = analyze(this.#graph, [...roots, ...upstream])
    for (const deadlock of findDeadlocks(analysis)) {
      const waits = [...deadlock.core].filter((node): node is WaitNode => node.type === 'wait')
      if (waits.every((wait) => wait.reported)) continue
      for (const wait of waits) wait.reported = true
      this.#act(analysis, deadlock)
    }
  }

  #act(analysis: Analysis, deadlock: Deadlock): void {
    const onDeadlock = this.#onDeadlock
    const graph = this.#graph
    // Without waitSites, the closing wait still gets its site: it is being published right now.
    if (!deadlock.victim.site) captureSite(deadlock.victim)
    if (typeof onDeadlock === 'function') {
      const report = buildReport(graph, analysis, deadlock, 'callback', null)
      this.#publish(report)
      this.#callback(onDeadlock, report)
      return
    }
    if (onDeadlock === 'warn') {
      const report = buildReport(graph, analysis, deadlock, 'warn', null)
      this.#publish(report)
      this.#warn(report)
      return
    }
    let note: string | null = null
    if (onDeadlock === 'compensate') {
      const pool = this.#starvedPool(analysis, deadlock)
      if (pool === undefined) {
        note = 'compensation only helps pool starvation; a cycle of waits cannot be broken by more workers'
      } else if (this.#lend(pool, deadlock.victim)) {
        this.#publish(buildReport(graph, analysis, deadlock, 'compensate', null))
        return
      } else {
        note = `${pool.name} could not lend an extra worker (not supported by this executor, or its cap is reached)`
      }
    }
    const report = buildReport(graph, analysis, deadlock, 'throw', note)
    this.#publish(report)
    const error = new DeadlockError(report)
    const victim = deadlock.victim
    // Reject after the publisher finished wiring the wait (the event is published synchronously).
    queueMicrotask(() => {
      if (!this.#stopped && graph.waits.get(victim.id) === victim) victim.event.reject(error)
    })
  }

  /**
   * A task called `shutdown({ wait: true })` on its own executor. The executor's guard rejects
   * that call (Python: "cannot join current thread"); the detector reports it to the callback or
   * as a warning, and on its channel. There is no wait to reject in `'throw'` mode.
   */
  #shutdownFromTask(caller: TaskNode): void {
    const onDeadlock = this.#onDeadlock
    const action: DeadlockAction = typeof onDeadlock === 'function' ? 'callback' : onDeadlock
    const report = buildShutdownReport(this.#graph, caller, action)
    this.#publish(report)
    if (typeof onDeadlock === 'function') this.#callback(onDeadlock, report)
    else if (onDeadlock === 'warn') this.#warn(report)
  }

  #callback(onDeadlock: (report: DeadlockReport) => void, report: DeadlockReport): void {
    try {
      onDeadlock(report)
    } catch (error) {
      process.emitWarning(`the onDeadlock callback threw: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, {
        type: 'DeadlockWarning',
        code: 'ERR_DEADLOCK_CALLBACK',
      })
    }
  }

  #warn(report: DeadlockReport): void {
    const text = reportToText(report)
    process.emitWarning(`deadlock detected: ${report.summary}`, {
      type: 'DeadlockWarning',
      code: 'ERR_DEADLOCK',
      detail: text.slice(text.indexOf('\n') + 1),
    })
  }

  /** The starved pool the victim's wait leads to (first pool on the ring). */
  #starvedPool(analysis: Analysis, deadlock: Deadlock): ExecutorNode | undefined {
    const ring: GraphNode[] = ringFrom(deadlock, analysis.successors)
    const onRing = ring.find((node): node is ExecutorNode => node.type === 'pool')
    return onRing ?? [...deadlock.core].find((node): node is ExecutorNode => node.type === 'pool')
  }

  #lend(pool: ExecutorNode, victim: WaitNode): boolean {
    if (pool.lendWorker === undefined) return false
    // Count the loan first: the pool may start the queued task (and publish) synchronously.
    pool.lent++
    let release: (() => void) | undefined
    try {
      release = pool.lendWorker()
    } catch {
      release = undefined
    }
    if (typeof release !== 'function') {
      pool.lent--
      return false
    }
    const giveBack = release
    let returned = false
    victim.release = () => {
      if (returned) return
      returned = true
      pool.lent--
      giveBack()
    }
    this.#loans.add(victim)
    return true
  }

  #publish(report: DeadlockReport): void {
    if (deadlockChannel.hasSubscribers) deadlockChannel.publish({ report })
  }

  #armTimer(): void {
    if (this.#timer !== undefined || this.#stopped) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#fullCheck()
      if (this.#graph.untimedWaits > 0) {
        this.#delay = Math.min(this.#delay * 2, MAX_RECHECK_MS)
        this.#armTimer()
      }
    }, this.#delay)
    this.#timer.unref()
  }

  #disarmTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    this.#delay = FIRST_RECHECK_MS
  }

  snapshot(): GraphSnapshot {
    const graph = this.#graph
    const all: GraphNode[] = [...graph.executors.values(), ...graph.allTasks(), ...graph.allWaits()]
    const analysis = analyze(graph, all)
    const roles = new Map<GraphNode, NodeRole>()
    for (const node of all) roles.set(node, 'other')
    for (const deadlock of findDeadlocks(analysis)) {
      for (const node of deadlock.core) roles.set(node, 'core')
      for (const node of deadlock.tail) roles.set(node, 'tail')
    }
    const successors = (node: GraphNode): readonly GraphNode[] => {
      if (node.type === 'wait') return graph.pending(node).tasks
      if (node.type === 'pool') return graph.holdersOf(node)
      return []
    }
    const edgeRole = (from: GraphNode, to: GraphNode): NodeRole => {
      const a = roles.get(from) ?? 'other'
      const b = roles.get(to) ?? 'other'
      return a === 'other' || b === 'other' ? 'other' : a === 'core' && b === 'core' ? 'core' : 'tail'
    }
    const info = graphInfo(graph, roles, edgeRole, successors, undefined)
    let deadlockedWaits = 0
    for (const node of all) if (node.type === 'wait' && roles.get(node) !== 'other') deadlockedWaits++
    return new Snapshot({ ...info, deadlockedWaits })
  }

  stop(): void {
    if (this.#stopped) return
    this.#stopped = true
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe()
    this.#disarmTimer()
    for (const wait of [...this.#loans]) {
      const release = wait.release
      wait.release = undefined
      release?.()
    }
    this.#loans.clear()
  }

  [Symbol.dispose](): void {
    this.stop()
  }
}

/** Records a wait's site (must run while its `wait:start` is being published to be useful). */
function captureSite(wait: WaitNode): void {
  const event = wait.event
  if (event.captureStack !== undefined) event.captureStack()
  // eslint-disable-next-line @typescript-eslint/no-meaningless-void-operator -- the read itself captures
  else void event.stack
  wait.site = true
}
