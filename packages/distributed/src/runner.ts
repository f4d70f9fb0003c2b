/**
 * The task a worker hands to its local executor for every job: it runs inside that executor
 * (a thread, a child process, or the worker's own thread), decodes the call, runs it with the
 * remote task's context (`currentTask()` gives the submitter's future id and an executor that
 * submits nested work to the same queue) and returns the encoded result envelope.
 *
 * @module
 */
import diagnosticsChannel from 'node:diagnostics_channel'
import { channels, currentTask, explainCallError, loadCallable, serializeError, withTaskContext } from '@x/future'
import type {
  Callable,
  CallableSpec,
  FunctionOf,
  Future,
  FutureCancelEvent,
  FutureFinishEvent,
  FutureSubmitEvent,
  SubmitOptions,
  TaskContext,
  WaitEndEvent,
  WaitStartEvent,
} from '@x/future'
import type { Connection } from './connection.js'
import { DistributedExecutor, publishVia } from './executor.js'
import { SourceNotAllowedError } from './errors.js'
import { encodeEnvelope, fromWire, keys } from './protocol.js'
import type { JobPayload, WireCallable } from './protocol.js'
import { decodePayload } from './job-data.js'
import type { WirePayload } from './job-data.js'

/** What the worker tells the runner besides the job. */
export interface RunnerContext {
  readonly connection: Connection
  readonly queue: string
  readonly root: string
  readonly workerId: string
  readonly allowSource: boolean
}

/** One nested-work executor per queue in this thread, made on first use. */
const nested = new Map<string, DistributedExecutor>()
/** The same, by the context object a job came with (the async backend passes one object for every job). */
const nestedByContext = new WeakMap<RunnerContext, DistributedExecutor>()
/** A callable's spec and, once imported, its function (a job then calls it without promises of its own). */
interface KnownCallable {
  readonly spec: CallableSpec
  fn: ((...args: unknown[]) => unknown) | undefined
}
/** The callables of the wire callables seen, by root, path and export (path checks and URL made once). */
const specs = new Map<string, KnownCallable>()
const MAX_SPECS = 1000
/** The callable {@link knownOf} found last, with what it was asked for. */
let lastKnown: { root: string; path: string; exportName: string; name: string; known: KnownCallable } | undefined
/**
 * A remote task running in this thread: the `TaskContext` `currentTask()` returns inside it (its
 * submitter's future id and name, the local task's signal and progress, nested work to the same
 * queue), its worker, and its unfinished nested futures' ids (made at its first nested submit).
 * Found again through `currentTask()` itself (not a map by id: a context's id is the future's id
 * in the process that submitted it, and two submitting processes, each counting from 1, can have
 * jobs with the same id running here at once).
 */
class RemoteTask implements TaskContext {
  readonly id: number
  readonly name: string | undefined
  readonly signal: AbortSignal
  readonly executor: DistributedExecutor
  readonly context: RunnerContext
  children?: Set<number>
  /** The call ended: code it started that runs later is no longer this task's (no slot lent for it). */
  ended = false
  /** The local executor's task this one runs in. */
  readonly #outer: TaskContext | undefined
  #report: ((value: unknown) => void) | undefined

  constructor(job: JobPayload, executor: DistributedExecutor, context: RunnerContext, outer: TaskContext | undefined) {
    this.id = job.futureId
    this.name = job.name
    this.signal = outer?.signal ?? new AbortController().signal
    this.executor = executor
    this.context = context
    this.#outer = outer
  }

  /** The local task's progress, passed on (made on first use: most tasks never report). */
  get progress(): ((value: unknown) => void) | undefined {
    const outer = this.#outer
    if (outer?.progress === undefined) return undefined
    return (this.#report ??= (value: unknown) => outer.progress?.(value))
  }
}

/** Open waits on nested futures → the task whose worker lent a slot. */
const lending = new Map<number, RemoteTask>()
/** Unfinished nested futures → the remote task that submitted them. */
const childOwner = new Map<number, RemoteTask>()
let subscribed = false

/**
 * The executor of a remote task's nested work. Its first submit subscribes to the diagnostics
 * events slot lending follows: until some task submits nested work, futures of this thread publish
 * nothing (publishing costs only while someone listens).
 */
class NestedExecutor extends DistributedExecutor {
  override submitWith<C extends Callable>(options: SubmitOptions, fn: C, ...args: Parameters<FunctionOf<C>>): Future<Awaited<ReturnType<FunctionOf<C>>>> {
    subscribeLending()
    return super.submitWith(options, fn, ...args)
  }

  protected override submitChunk(fn: Callable, argTuples: unknown[][]): Future<unknown[]> {
    subscribeLending()
    return super.submitChunk(fn, argTuples)
  }
}

function nestedExecutor(context: RunnerContext): DistributedExecutor {
  const known = nestedByContext.get(context)
  if (known !== undefined) return known
  const key = `${JSON.stringify(context.connection)}\u0000${context.queue}\u0000${context.root}`
  let executor = nested.get(key)
  if (executor === undefined) {
    executor = new NestedExecutor({ connection: context.connection, queue: context.queue, root: context.root })
    nested.set(key, executor)
  }
  nestedByContext.set(context, executor)
  return executor
}

/** The remote task the calling code runs in, if any (diagnostics events are published synchronously by the code they describe). */
function callingRemoteTask(): RemoteTask | undefined {
  const running = currentTask()
  return running instanceof RemoteTask && !running.ended ? running : undefined
}

/** {@link fromWire}, remembered: a worker runs the same few task functions again and again. */
function knownOf(fn: WireCallable, root: string): KnownCallable {
  if (fn.kind === 'source') return { spec: fromWire(fn, root), fn: undefined }
  // the same as the last job's (most often): no key made and hashed (the root is a long path)
  const last = lastKnown
  if (last?.root === root && last.path === fn.path && last.exportName === fn.exportName && last.name === fn.name) return last.known
  const key = `${root}\u0000${fn.path}\u0000${fn.exportName}\u0000${fn.name}`
  let known = specs.get(key)
  if (known === undefined) {
    known = { spec: fromWire(fn, root), fn: undefined }
    if (specs.size >= MAX_SPECS) specs.clear()
    specs.set(key, known)
  }
  lastKnown = { root, path: fn.path, exportName: fn.exportName, name: fn.name, known }
  return known
}

/**
 * While a remote task here waits on futures it submitted, its worker runs one more job (Dask's
 * secede/rejoin), so a worker whose every slot waits on nested work cannot starve. Driven by the
 * diagnostics events every future publishes.
 */
function subscribeLending(): void {
  if (subscribed) return
  subscribed = true
  diagnosticsChannel.subscribe(channels.futureSubmit.name, (message) => {
    const event = message as FutureSubmitEvent
    if (event.callerTaskId === undefined) return
    const owner = callingRemoteTask()
    if (owner?.executor.id !== event.executorId) return
    ;(owner.children ??= new Set()).add(event.futureId)
    childOwner.set(event.futureId, owner)
  })
  diagnosticsChannel.subscribe(channels.futureFinish.name, (message) => {
    forgetChild((message as FutureFinishEvent).futureId)
  })
  diagnosticsChannel.subscribe(channels.futureCancel.name, (message) => {
    forgetChild((message as FutureCancelEvent).futureId)
  })
  diagnosticsChannel.subscribe(channels.waitStart.name, (message) => {
    const event = message as WaitStartEvent
    const remote = callingRemoteTask()
    const children = remote?.children
    if (remote === undefined || children === undefined || !event.futureIds.some((id) => children.has(id))) return
    lending.set(event.waitId, remote)
    publishVia(remote.executor, keys(remote.context.queue).lendChannel(remote.context.workerId), 'lend')
  })
  diagnosticsChannel.subscribe(channels.waitEnd.name, (message) => {
    const event = message as WaitEndEvent
    const lent = lending.get(event.waitId)
    if (lent === undefined) return
    lending.delete(event.waitId)
    publishVia(lent.executor, keys(lent.context.queue).lendChannel(lent.context.workerId), 'return')
  })
}

function forgetChild(futureId: number): void {
  const owner = childOwner.get(futureId)
  if (owner === undefined) return
  childOwner.delete(futureId)
  owner.children?.delete(futureId)
}

/** A decoded job, with the context its remote task runs in. */
export interface OpenedJob {
  readonly job: JobPayload
  readonly spec: CallableSpec
  /** `currentTask()` inside the call: the submitter's future id, nested work to the same queue, the local task's signal and progress. */
  readonly task: TaskContext
  /** The call ended: forget its nested-work bookkeeping. */
  readonly close: () => void
}

/**
 * Decodes a job's payload and makes the context its call runs in (inside the local executor's
 * task, whose signal and progress it passes on).
 *
 * @throws {@link SourceNotAllowedError} function source sent to a worker without `allowSource`.
 * @throws {@link OutsideRootError} a module path escaping the worker's root.
 */
export function openJob(payload: WirePayload, context: RunnerContext): OpenedJob {
  const { job, known, executor } = decodeJob(payload, context)
  const task = new RemoteTask(job, executor, context, currentTask())
  return { job, spec: known.spec, task, close: () => { task.ended = true } }
}

/** A job's payload decoded and its callable looked up (before its task context exists). */
export interface DecodedJob {
  readonly job: JobPayload
  readonly known: KnownCallable
  /** The executor of the job's nested work: found, or made, before the job's task starts (as {@link loadJob} imports its module then). */
  readonly executor: DistributedExecutor
}

/**
 * Decodes a job's payload and finds its callable (imported before, or to import).
 *
 * @throws {@link SourceNotAllowedError} function source sent to a worker without `allowSource`.
 * @throws {@link OutsideRootError} a module path escaping the worker's root.
 */
export function decodeJob(payload: WirePayload, context: RunnerContext): DecodedJob {
  const job = decodePayload(payload)
  if (job.fn.kind === 'source' && !context.allowSource) {
    throw new SourceNotAllowedError(
      `this worker does not run function source (the function "${job.fn.name}" was sent as text). ` +
        `Submit a task(url, name) handle to a module under the root instead, or start the worker with ` +
        `--allow-source (serve({ allowSource: true })) if everyone who can write to the queue may run code on it.`,
    )
  }
  return { job, known: knownOf(job.fn, context.root), executor: nestedExecutor(context) }
}

/**
 * Imports the job's task module when this thread has not yet (`undefined` when it has, or for
 * function source, which the call compiles). Done before the job's task starts, so a call of a
 * synchronous function starts nothing asynchronous inside its task (see `runWithStoredTask`).
 */
export function loadJob(decoded: DecodedJob): Promise<unknown> | undefined {
  const known = decoded.known
  if (known.fn !== undefined || known.spec.kind !== 'task') return undefined
  return loadCallable(known.spec).then((loaded) => {
    known.fn = loaded
  })
}

/** The result envelope of a call that returned `value`, or of one whose result cannot be serialized. */
function okEnvelope(jobId: string, value: unknown): Uint8Array {
  try {
    return encodeEnvelope({ t: 'ok', jobId, value })
  } catch (error) {
    return errorEnvelope(jobId, new TypeError(`the result could not be serialized: ${String(error)}`, { cause: error }))
  }
}

/** The error envelope of a call that failed with `error` (or of one whose error cannot be serialized). */
export function errorEnvelope(jobId: string, error: unknown): Uint8Array {
  try {
    return encodeEnvelope({ t: 'error', jobId, error: serializeError(error) })
  } catch (failure) {
    return encodeEnvelope({ t: 'error', jobId, error: serializeError(new TypeError(`the result could not be serialized: ${String(failure)}`, { cause: failure })) })
  }
}

/**
 * Runs one job. Called by the worker through its local executor, as a `task()` of this module
 * (or, on an executor that runs tasks on the worker's own thread, as the function itself).
 * A call of a function imported before that returns a plain value is run and encoded at once,
 * without a promise (each promise costs more once `AsyncLocalStorage` is in use).
 *
 * @param payload the job's payload, as BullMQ stored it (an object, or base64: see `encodePayload`)
 * @param jobId the BullMQ job id
 * @param context the worker's connection, queue, root and policy
 * @returns the encoded result envelope (a promise of it when the call is asynchronous)
 */
export function runJob(payload: WirePayload, jobId: string, context: RunnerContext): Uint8Array | Promise<Uint8Array> {
  let decoded: DecodedJob
  try {
    decoded = decodeJob(payload, context)
  } catch (error) {
    return errorEnvelope(jobId, error)
  }
  return runDecodedJob(decoded, jobId, context)
}

/** {@link runJob} of a job decoded by {@link decodeJob} (and, on the worker's own thread, loaded by {@link loadJob} first). */
export function runDecodedJob(decoded: DecodedJob, jobId: string, context: RunnerContext): Uint8Array | Promise<Uint8Array> {
  const { job, known, executor } = decoded
  // (inside the local executor's task, whose signal and progress it passes on)
  const task = new RemoteTask(job, executor, context, currentTask())
  const fn = known.fn
  if (fn === undefined) {
    // first call of this function here (or function source): import (compile) it, then call it
    return loadCallable(known.spec).then(
      (loaded) => {
        if (known.spec.kind === 'task') known.fn = loaded
        return call(job, known.spec, task, jobId, loaded)
      },
      (error: unknown) => {
        task.ended = true
        return errorEnvelope(jobId, error)
      },
    )
  }
  return call(job, known.spec, task, jobId, fn)
}

/** Calls `fn` with the job's arguments in its task context; a thenable result is awaited. */
function call(job: JobPayload, spec: CallableSpec, task: RemoteTask, jobId: string, fn: (...args: unknown[]) => unknown): Uint8Array | Promise<Uint8Array> {
  if (job.chunk) return runChunk(job, spec, task, jobId, fn)
  let value: unknown
  try {
    value = withTaskContext(task, () => fn(...job.args))
  } catch (error) {
    task.ended = true
    return errorEnvelope(jobId, explainCallError(spec, error))
  }
  if (!isThenable(value)) {
    task.ended = true
    return okEnvelope(jobId, value)
  }
  return Promise.resolve(value).then(
    (result) => {
      task.ended = true
      return okEnvelope(jobId, result)
    },
    (error: unknown) => {
      task.ended = true
      return errorEnvelope(jobId, explainCallError(spec, error))
    },
  )
}

/** A chunk of `map()` calls, one after the other (each awaited), in the task context. */
async function runChunk(job: JobPayload, spec: CallableSpec, task: RemoteTask, jobId: string, fn: (...args: unknown[]) => unknown): Promise<Uint8Array> {
  const run = async (): Promise<unknown[]> => {
    const out: unknown[] = []
    for (const tuple of job.args as unknown[][]) out.push(await fn(...tuple))
    return out
  }
  try {
    return okEnvelope(jobId, await withTaskContext(task, run))
  } catch (error) {
    return errorEnvelope(jobId, explainCallError(spec, error))
  } finally {
    task.ended = true
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function'
}
