/**
 * The worker side of the thread pool: the module tinypool loads in every worker thread. Its
 * default export is the tinypool task that starts a *session*: the coordinator hands over a
 * `MessagePort` and the thread serves tasks from it, one at a time, until the coordinator
 * releases the session (the pool went idle) or the thread dies.
 *
 * Tasks arrive in batches; each is claimed with a compare-and-swap on its shared state word
 * right before it runs (see protocol.ts), and its result is posted back at once.
 *
 * @internal
 * @module
 */
import type { MessagePort, Transferable } from 'node:worker_threads'
import { threadId, workerData } from 'node:worker_threads'
import {
  deserializeError,
  explainCallError,
  invokeCallable,
  loadCallable,
  serializeError,
  withTaskContext,
} from '@x/future'
import type { CallableSpec, TaskContext } from '@x/future'
import { FifoQueue } from '@x/pool-kit'
import type { TinypoolData } from 'tinypool'
import { ABORTABLE, CHUNK, FLAT, STATE_MASK, STARTED } from './protocol.js'
import type { DownMessage, SessionInit, TaskMessage, ThreadData, UpMessage } from './protocol.js'
import { setThreadName } from './state.js'
import { executorFor } from './worker-nested.js'
import type { WorkerExecutor } from './worker-nested.js'
import { diagnosticsOn, forwardedWaits, setDiagnostics } from './worker-waits.js'

// tinypool passes every thread `[TinypoolPrivateData, our workerData]` (its public `TinypoolData`
// type): the worker's number (1..maxThreads) is read from there, which spares each thread from
// loading tinypool's whole pool module for its `workerId` export.
const data = (Array.isArray(workerData) ? workerData : undefined) as TinypoolData | undefined
const threadData = data?.[1] as ThreadData | undefined
const tinypoolWorkerId = data?.[0].workerId ?? 1
setThreadName(`${threadData?.threadNamePrefix ?? 'ThreadPoolExecutor'}_${String(tinypoolWorkerId - 1)}`)

/** The session this thread serves now (one at a time). */
let session: Session | undefined
/** The initializer ran (successfully) on this thread. */
let initialized = false
let hasInitFailure = false

const neverAborted = new AbortController().signal

class Session {
  readonly port: MessagePort
  readonly states: Int32Array
  readonly starts: Float64Array
  readonly queue = new FifoQueue<TaskMessage>()
  running = false
  released = false
  readonly controllers = new Map<number, AbortController>()
  readonly proxy: WorkerExecutor
  readonly done: Promise<void>
  #resolveDone!: () => void

  constructor(init: SessionInit) {
    this.port = init.port
    this.states = new Int32Array(init.states)
    this.starts = new Float64Array(init.starts)
    this.proxy = executorFor(init.poolLabel, init.maxWorkers)
    this.proxy.attach(this)
    this.done = new Promise((resolve) => {
      this.#resolveDone = resolve
    })
    setDiagnostics(init.diagnostics, () => session)
    this.port.on('message', (message: DownMessage) => {
      this.onMessage(message)
    })
    this.post(['hello', threadId])
  }

  post(message: UpMessage, transfer?: readonly Transferable[]): void {
    if (this.released) return
    this.port.postMessage(message, transfer as Transferable[] | undefined)
  }

  onMessage(message: DownMessage): void {
    switch (message[0]) {
      case 'run':
        setDiagnostics(message[2], () => session)
        for (const [id, spec] of message[3]) specs.set(id, spec)
        for (const task of message[1]) this.queue.push(task)
        if (!this.running) void this.drain()
        break
      case 'abort': {
        const controller = this.controllers.get(message[1])
        controller?.abort(deserializeError(message[2]))
        break
      }
      case 'settled':
        this.proxy.settle(message[1], message[2], message[3])
        break
      case 'rejectWait': {
        const reject = forwardedWaits.get(message[1])
        if (reject !== undefined) reject(deserializeError(message[2]) as Error)
        break
      }
      case 'release':
        this.released = true
        this.port.close()
        if (session === this) session = undefined
        this.#resolveDone()
        break
    }
  }

  async drain(): Promise<void> {
    this.running = true
    try {
      while (this.queue.size > 0 && !this.released) {
        const task = this.queue.shift()
        if (task === undefined) break
        // Claim it: only a task still QUEUED (not cancelled, not taken back) runs.
        const word = task[2]
        if (Atomics.compareExchange(this.states, task[1], word, (word & ~STATE_MASK) | STARTED) !== word) {
          continue
        }
        // when it started, on a clock every thread can read (the pool times runs from it)
        this.starts[task[1]] = performance.timeOrigin + performance.now()
        const pending = this.run(task)
        if (pending !== undefined) await pending
      }
    } finally {
      this.running = false
    }
  }

  /**
   * Runs one task. A plain function that returns a plain value runs and reports synchronously
   * (no promise at all: with `currentTask()`'s async context tracking on, every promise costs);
   * everything else goes through {@link Session.runAsync}. Returns a promise only then.
   */
  run(task: TaskMessage): Promise<void> | undefined {
    const [id, , , specId, args, flags, name] = task
    const fn = functions.get(specId)
    if (!initialized || fn === undefined) return this.runAsync(task)
    let signal = neverAborted
    const abortable = (flags & ABORTABLE) !== 0
    if (abortable) {
      const controller = new AbortController()
      this.controllers.set(id, controller)
      signal = controller.signal
    }
    let value: unknown
    try {
      const context: TaskContext = { id, name, signal, executor: this.proxy }
      value = withTaskContext(context, () =>
        (flags & CHUNK) === 0 ? fn(...args) : runChunk(fn, args, (flags & FLAT) !== 0),
      )
    } catch (error) {
      if (abortable) this.controllers.delete(id)
      this.reportFailure(task, error)
      return undefined
    }
    if (isThenable(value)) {
      // Diagnostics want to know it holds this worker now (it may wait on other futures).
      if (diagnosticsOn()) this.post(['started', id])
      return this.settle(task, value, abortable)
    }
    if (abortable) this.controllers.delete(id)
    this.report(task, value)
    return undefined
  }

  async runAsync(task: TaskMessage): Promise<void> {
    const specId = task[3]
    const spec = specs.get(specId)
    try {
      if (!initialized && !(await runInitializer(this))) return
      if (spec === undefined) throw new Error(`internal error: unknown callable #${String(specId)}`)
      functions.set(specId, await loadCallable(spec))
    } catch (error) {
      this.reportFailure(task, error)
      return
    }
    await this.run(task)
  }

  async settle(task: TaskMessage, promise: PromiseLike<unknown>, abortable: boolean): Promise<void> {
    let value: unknown
    try {
      value = await promise
    } catch (error) {
      this.reportFailure(task, error)
      return
    } finally {
      if (abortable) this.controllers.delete(task[0])
    }
    this.report(task, value)
  }

  report(task: TaskMessage, value: unknown): void {
    if (this.released) return
    try {
      this.port.postMessage(['result', task[0], true, value] satisfies UpMessage)
    } catch (error) {
      const spec = specs.get(task[3])
      this.post([
        'result',
        task[0],
        false,
        serializeError(
          new TypeError(
            `the result of task "${task[6] ?? spec?.name ?? 'anonymous'}" cannot be sent back from the worker: ${
              error instanceof Error ? error.message : String(error)
            }. Return plain data (structured-cloneable values).`,
            { cause: error },
          ),
        ),
      ])
    }
  }

  reportFailure(task: TaskMessage, error: unknown): void {
    const explained = explain(specs.get(task[3]), error)
    if (!this.released) this.post(['result', task[0], false, serializeError(explained)])
  }
}

type Fn = (...args: unknown[]) => unknown

/** The loaded functions of this thread, by the pool's id for their callable. */
const functions = new Map<number, Fn>()

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

/**
 * Runs a `map` chunk, synchronously while the calls return plain values. `flat`: `items` are
 * single arguments, else argument lists.
 */
function runChunk(fn: Fn, items: readonly unknown[], flat: boolean): unknown[] | Promise<unknown[]> {
  const out: unknown[] = []
  for (const item of items) {
    const value = flat ? fn(item) : fn(...(item as unknown[]))
    if (isThenable(value)) return finishChunk(fn, items, flat, out, value)
    out.push(value)
  }
  return out
}

async function finishChunk(
  fn: Fn,
  items: readonly unknown[],
  flat: boolean,
  out: unknown[],
  pending: PromiseLike<unknown>,
): Promise<unknown[]> {
  out.push(await pending)
  for (const item of items.slice(out.length)) out.push(await (flat ? fn(item) : fn(...(item as unknown[]))))
  return out
}

/** The error a task's failure is reported with (explains a source function's outside variable). */
function explain(spec: CallableSpec | undefined, error: unknown): unknown {
  return spec === undefined ? error : explainCallError(spec, error)
}

/** Runs the initializer once per thread; `false` when it failed (the coordinator was told). */
async function runInitializer(current: Session): Promise<boolean> {
  if (hasInitFailure) return false
  const init = currentInit
  if (init?.initializer === undefined) {
    initialized = true
    return true
  }
  try {
    await invokeCallable(init.initializer, init.initargs)
    initialized = true
    return true
  } catch (error) {
    hasInitFailure = true
    current.post(['initFailed', serializeError(error)])
    return false
  }
}

/** The callables sent to this thread, by the pool's id for them. */
const specs = new Map<number, CallableSpec>()

let currentInit: SessionInit | undefined

/**
 * The tinypool task: serve the coordinator's port until released. Resolves when the session is
 * released; a thread that dies instead makes tinypool reject it.
 */
export default async function serve(init: SessionInit): Promise<number> {
  currentInit = init
  const current = new Session(init)
  session = current
  await current.done
  return threadId
}
