/**
 * The child-process side of the pool (internal). tinypool forks a child per pool slot and runs
 * this module's `session` export once; from then on the child and the parent talk over the
 * child's IPC channel (tinypool's `channel`) with the messages in `protocol.ts`: tasks arrive in
 * batches, run one at a time, and their results go back in batches.
 *
 * @internal
 * @module
 */
import diagnosticsChannel from 'node:diagnostics_channel'
import { serialize } from 'node:v8'
import {
  channelNames,
  checkArguments,
  currentTask,
  deserializeError,
  describeCallable,
  Executor,
  Future,
  FutureError,
  explainCallError,
  invokeCallable,
  loadCallable,
  serializeError,
  withTaskContext,
} from '@x/future'
import type {
  Callable,
  CallableSpec,
  FunctionOf,
  SerializedError,
  ShutdownOptions,
  SubmitOptions,
  TaskContext,
  WaitEndEvent,
  WaitStartEvent,
} from '@x/future'
import type { Outcome, ResultItem, RunItem, SessionReady, SessionStart, ToChild, ToParent } from './protocol.js'
import { SerializationError } from './errors.js'
import { packColumn, packTuples } from './pack.js'
import type { PackedTuples } from './pack.js'

/** Flush results at once after a task that took longer than this (ms); batch shorter ones. */
const SHORT_TASK_MS = 0.2
/** Flush at least this often while short tasks keep coming (ms). */
const MAX_BATCH_DELAY_MS = 2
const MAX_BATCH = 256

let started = false
let diag = false
let executor: ChildExecutor | undefined

const specs = new Map<number, CallableSpec>()
const meanBySpec = new Map<number, number>()
let queue: (RunItem | undefined)[] = []
let head = 0
let draining = false

let out: ResultItem[] = []
let outNames: (string | undefined)[] = []
let outBusy = 0
let firstOutAt = 0
let immediate: NodeJS.Immediate | undefined

/** Aborts for tasks that are queued here or running: id → reason (kept until the task ends). */
const aborted = new Map<number, unknown>()
let current: ChildTaskContext | undefined
/** Whether the task that just ended had been aborted. */
let lastAborted = false

const proxies = new Map<number, ProxyFuture>() // ref → proxy
const refByFutureId = new Map<number, number>() // proxy future id → ref
let nextRef = 1
const waitRejects = new Map<number, (error: Error) => void>()

function send(message: ToParent): void {
  ;(process.send as (m: unknown) => boolean)(message)
}

/**
 * tinypool's task: sets the child up, runs the pool's initializer, and reports the child ready.
 * It returns at once; the child keeps serving the parent's messages until it is ended.
 */
export async function session(start: SessionStart): Promise<SessionReady> {
  if (started) throw new Error('@x/process-pool: this child already runs a session')
  started = true
  diag = start.diag
  executor = new ChildExecutor(start.label, start.maxWorkers)
  process.on('message', onMessage)
  // The parent is gone (killed, or exited without ending us): nobody can use our results.
  process.on('disconnect', () => process.exit(0))
  // An error nobody catches (a throw in a timer, an unhandled rejection) ends the child as it
  // would end any Node process, but the parent learns what it was first.
  process.on('uncaughtException', onUncaught)
  diagnosticsChannel.subscribe(channelNames.waitStart, onWaitStart)
  diagnosticsChannel.subscribe(channelNames.waitEnd, onWaitEnd)
  if (start.initializer !== undefined) {
    try {
      await invokeCallable(start.initializer.spec, start.initializer.args)
    } catch (error) {
      return { pid: process.pid, initError: serializeError(error) }
    }
  }
  return { pid: process.pid }
}

function onMessage(message: unknown): void {
  if (!Array.isArray(message)) return // tinypool's own messages are objects
  const m = message as ToChild
  switch (m[0]) {
    case 'run':
      diag = m[2]
      for (const item of m[1]) {
        if (item[2] !== 0) specs.set(item[1], item[2])
        queue.push(item)
      }
      if (!draining) void drain()
      break
    case 'done':
      proxies.get(m[1])?.settle(m[2], m[3])
      break
    case 'abort': {
      const reason = deserializeError(m[2])
      if (current?.id === m[1]) current.abort(reason)
      // Already done, its result waiting here to be batched: send it now, before the parent's
      // abort grace period runs out and it ends this child over a task that has finished.
      else if (out.some((result) => result[0] === m[1])) flush()
      else aborted.set(m[1], reason)
      break
    }
    case 'wrej': {
      const reject = waitRejects.get(m[1])
      waitRejects.delete(m[1])
      const error = deserializeError(m[2])
      reject?.(error instanceof Error ? error : new Error(String(error)))
      break
    }
  }
}

async function drain(): Promise<void> {
  draining = true
  while (head < queue.length) {
    const item = queue[head]
    queue[head++] = undefined
    if (item === undefined) continue
    if (head >= 1024 && head * 2 >= queue.length) {
      queue = queue.slice(head)
      head = 0
    }
    const specId = item[1]
    // A task that may run long must not hold back results that are ready.
    if (out.length > 0 && (meanBySpec.get(specId) ?? Infinity) > SHORT_TASK_MS) flush()
    const t0 = performance.now()
    let result: ResultItem
    try {
      result = [item[0], 1, await runItem(item)]
    } catch (error) {
      result = [item[0], 0, serializeError(error)]
    }
    const now = performance.now()
    const took = now - t0
    const mean = meanBySpec.get(specId)
    meanBySpec.set(specId, mean === undefined ? took : mean * 0.8 + took * 0.2)
    if (out.length === 0) firstOutAt = now
    out.push(result)
    outNames.push(item[4])
    outBusy += took
    // Send what is ready once it is as much as what is left here, so the parent can send more
    // while this child works through the rest (no stop-and-go).
    // An aborted task's result goes at once: the parent ends this child if it does not come
    // within the abort grace period, and must not take what runs next for it.
    if (
      out.length >= MAX_BATCH ||
      out.length >= queue.length - head ||
      took > SHORT_TASK_MS ||
      now - firstOutAt > MAX_BATCH_DELAY_MS ||
      lastAborted
    ) {
      flush()
    }
    else immediate ??= setImmediate(flush)
  }
  draining = false
  flush()
}

type Fn = (...args: unknown[]) => unknown
const loadedFns = new Map<number, Fn>()

async function runItem(item: RunItem): Promise<unknown> {
  const [id, specId, , args, name, chunk] = item
  lastAborted = false
  const spec = specs.get(specId)
  if (spec === undefined) throw new Error(`@x/process-pool: unknown callable #${String(specId)} (protocol error)`)
  let fn = loadedFns.get(specId)
  if (fn === undefined) {
    fn = await loadCallable(spec)
    loadedFns.set(specId, fn)
  }
  if (executor === undefined) throw new Error('@x/process-pool: no session (protocol error)')
  const context = new ChildTaskContext(id, name, executor, aborted.get(id))
  current = context
  try {
    return await withTaskContext(context, () => (chunk === 0 ? callOne(fn, args) : callChunk(fn, args as unknown as PackedTuples)))
  } catch (error) {
    // Explain "X is not defined" in a function sent as source, as invokeCallable() does.
    throw explainCallError(spec, error)
  } finally {
    lastAborted = context.aborted
    current = undefined
    aborted.delete(id)
  }
}

async function callOne(fn: Fn, args: unknown[]): Promise<unknown> {
  return await fn(...args)
}

/** Runs a chunk's calls in order; awaits only results that are promises. */
async function callChunk(fn: Fn, packed: PackedTuples): Promise<unknown> {
  const count = packed[0]
  const columns = packed.slice(1) as ArrayLike<unknown>[]
  const results = new Array<unknown>(count)
  const width = columns.length
  const col0 = columns[0] ?? []
  for (let i = 0; i < count; i++) {
    let value: unknown
    if (width === 1) value = fn(col0[i])
    else {
      const tuple = new Array<unknown>(width)
      for (let j = 0; j < width; j++) tuple[j] = (columns[j] ?? [])[i]
      value = fn(...tuple)
    }
    if (isThenable(value)) value = await value
    results[i] = value
  }
  return packColumn(results)
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
}

function flush(): void {
  if (immediate !== undefined) {
    clearImmediate(immediate)
    immediate = undefined
  }
  if (out.length === 0) return
  const batch = out
  const names = outNames
  const mean = outBusy / batch.length
  out = []
  outNames = []
  outBusy = 0
  try {
    send(['res', batch, mean])
    return
  } catch {
    // Some result cannot be serialized: fail those tasks alone, send the rest.
    for (let i = 0; i < batch.length; i++) {
      const entry = batch[i]
      if (entry === undefined) continue
      try {
        serialize(entry[2])
      } catch (error) {
        const name = names[i]
        const what = name === undefined ? `task #${String(entry[0])}` : `task "${name}" (#${String(entry[0])})`
        batch[i] = [
          entry[0],
          0,
          serializeError(
            new SerializationError(
              `the result of ${what} cannot be sent back to the parent process: ${messageOf(error)}. ` +
                `Return data that Node's advanced serialization can copy (primitives, BigInt, plain objects, ` +
                `arrays, Map, Set, Date, RegExp, typed arrays, errors); not functions, symbols or class instances with native state.`,
              { cause: error },
            ),
          ),
        ]
      }
    }
    for (const entry of batch) {
      try {
        send(['res', [entry], mean])
      } catch (error) {
        send(['res', [[entry[0], 0, serializeError(error)]], mean])
      }
    }
  }
}

function onUncaught(error: unknown): void {
  const exit = (): never => process.exit(1)
  setTimeout(exit, 1000).unref()
  try {
    ;(process.send as (m: unknown, cb: () => void) => boolean)(['crash', serializeError(error)] satisfies ToParent, exit)
  } catch {
    exit()
  }
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\.$/, '')
}

/** `currentTask()` inside a child: the id is the task's future id in the parent. */
class ChildTaskContext implements TaskContext {
  readonly id: number
  readonly name: string | undefined
  readonly executor: Executor
  #controller: AbortController | undefined
  #reason: unknown
  #aborted: boolean

  constructor(id: number, name: string | undefined, executor: Executor, abortReason: unknown) {
    this.id = id
    this.name = name
    this.executor = executor
    this.#aborted = abortReason !== undefined
    this.#reason = abortReason
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController()
      if (this.#aborted) this.#controller.abort(this.#reason)
    }
    return this.#controller.signal
  }

  /** Whether the parent aborted this task. */
  get aborted(): boolean {
    return this.#aborted
  }

  abort(reason: unknown): void {
    this.#aborted = true
    this.#reason = reason
    this.#controller?.abort(reason)
  }
}

/** A future in the child for work submitted to the pool from inside a task; the parent runs it. */
class ProxyFuture extends Future {
  readonly ref: number
  #settling = false

  constructor(ref: number, name: string | undefined) {
    super({ name })
    this.ref = ref
  }

  /**
   * Asks the parent to cancel the call. The parent owns the real future, so this cannot know at
   * once whether the call already started: it returns `false` unless this future is already
   * cancelled, and the future becomes cancelled when the parent confirms.
   */
  override cancel(): boolean {
    if (this.#settling) return super.cancel()
    if (this.cancelled()) return true
    if (!this.done()) send(['cancel', this.ref])
    return false
  }

  settle(outcome: Outcome, value: unknown): void {
    proxies.delete(this.ref)
    refByFutureId.delete(this.id)
    if (this.done()) return
    if (outcome === 0) this.setResult(value)
    else if (outcome === 1) this.setException(deserializeError(value as SerializedError))
    else {
      this.#settling = true
      super.cancel()
      this.#settling = false
      this.setRunningOrNotifyCancel()
    }
  }
}

/**
 * `currentTask().executor` inside a child: submits to the same pool through the parent. The
 * returned futures can be awaited here (never pass them to other tasks).
 */
class ChildExecutor extends Executor {
  #shutdown = false

  constructor(label: string, maxWorkers: number) {
    super({ kind: 'process', maxWorkers, name: label })
  }

  submitWith<C extends Callable>(
    options: SubmitOptions,
    fn: C,
    ...args: Parameters<FunctionOf<C>>
  ): Future<Awaited<ReturnType<FunctionOf<C>>>> {
    return this.#submit(options, fn, args, 0) as Future<Awaited<ReturnType<FunctionOf<C>>>>
  }

  protected override submitChunk(fn: Callable, argTuples: unknown[][]): Future<unknown[]> {
    for (const tuple of argTuples) checkArguments(tuple)
    return this.#submit({}, fn, packTuples(argTuples), 1) as Future<unknown[]>
  }

  #submit(options: SubmitOptions, fn: Callable, args: unknown[], chunk: 0 | 1): Future {
    if (this.#shutdown) throw new Error('cannot schedule new futures after shutdown')
    const spec = describeCallable(fn)
    if (chunk === 0) checkArguments(args)
    const ref = nextRef++
    const future = new ProxyFuture(ref, options.name ?? spec.name)
    proxies.set(ref, future)
    refByFutureId.set(future.id, ref)
    const { signal } = options
    if (signal?.aborted === true) {
      future.settle(2, undefined)
      return future
    }
    try {
      send(['sub', ref, spec, args, future.name, chunk, currentTaskId()])
    } catch (error) {
      proxies.delete(ref)
      refByFutureId.delete(future.id)
      future.setException(
        new SerializationError(`an argument of the nested call "${spec.name}" cannot be sent to the parent process: ${messageOf(error)}`, {
          cause: error,
        }),
      )
      return future
    }
    signal?.addEventListener('abort', () => future.cancel(), { once: true })
    return future
  }

  /**
   * Shuts the pool down through the parent. `wait: true` from inside a task would wait for this
   * very task: like Python, the pool is marked shut down first, then this rejects.
   */
  shutdown(options?: ShutdownOptions): Promise<void> {
    this.#shutdown = true
    send(['shutdown', options?.cancelFutures ?? false, options?.wait ?? true, currentTaskId()])
    if (options?.wait === false) return Promise.resolve()
    return Promise.reject(
      new FutureError(
        'cannot join current thread: shutdown({ wait: true }) was called from inside a task of this process pool, ' +
          'which would wait for itself forever. Call shutdown({ wait: false }) there, or shut down from the parent.',
        'ERR_SHUTDOWN_FROM_TASK',
      ),
    )
  }
}

function currentTaskId(): number | undefined {
  return currentTask()?.id
}

function onWaitStart(message: unknown): void {
  if (!diag) return
  const event = message as WaitStartEvent
  const refs: number[] = []
  for (const id of event.futureIds) {
    const ref = refByFutureId.get(id)
    if (ref !== undefined) refs.push(ref)
  }
  if (refs.length === 0) return
  waitRejects.set(event.waitId, event.reject)
  send(['wait', event.waitId, event.taskId, refs, event.mode, event.timeout, event.stack])
}

function onWaitEnd(message: unknown): void {
  const event = message as WaitEndEvent
  if (!waitRejects.delete(event.waitId)) return
  send(['waitend', event.waitId, event.reason])
}
