/**
 * The worker-side task runtime both pools' entries run: it takes `run` batches, runs their tasks
 * one at a time in the order sent, and sends results back in batches (at once after a slow task
 * or when nothing is left to run; short ones are gathered for up to a couple of milliseconds).
 * It also routes the pool's other messages: aborts, nested outcomes, rejected waits.
 *
 * @module
 */
import { deserializeError, invokeCallable, serializeError } from '@x/future/runtime'
import type { CallableSpec, SerializedError } from '@x/future'
import { FifoQueue } from '../queue.js'
import type { RunBatch, ToWorker } from '../protocol.js'
import { CallableCache } from './callables.js'
import { requireForTasks, requiredTask } from './require-first.js'
import type { RequireFunction } from './require-first.js'
import type { TaskFunction } from './callables.js'
import { newNestedExecutor } from './nested.js'
import type { NestedExecutor, WorkerLink } from './nested.js'
import { ResultBuffer } from './results.js'
import { isThenable, runCall } from './run-call.js'
import { StreamPump } from './stream.js'
import { WorkerTaskContext } from './task-context.js'
import { forwardWaits } from './waits.js'

/** Flush results at once after a task that took longer than this (ms); batch shorter ones. */
const SHORT_TASK_MS = 0.2
/** Flush at least this often while short tasks keep coming (ms). */
const MAX_BATCH_DELAY_MS = 2
const MAX_BATCH = 256

interface Pending {
  readonly id: number
  readonly specId: number
  readonly args: unknown[]
  readonly name: string | undefined
  readonly chunk: boolean
  readonly slot: number
  /** A `stream()` task's highWaterMark; 0 for a plain call. */
  readonly highWaterMark: number
  readonly ticket: number
}

/**
 * Called just before a task runs; `false` skips it (the pool took it back). The process pool
 * writes its start marker here; the thread pool claims the task's word (`slot`, `ticket`: see
 * `ClaimWords.claimRun`; -1 and 0 without claim words). `at`: the start time, a
 * `performance.now()` reading of this thread.
 * @since 0.1.0
 */
export type BeforeStart = (id: number, slot: number, ticket: number, at: number) => boolean

/**
 * One worker's runtime.
 *
 * @example
 * ```ts
 * const runtime = new WorkerRuntime(link, { beforeStart: (id) => { marker.write(id); return true } })
 * port.on('message', (message) => runtime.receive(message))
 * ```
 * @since 0.1.0
 */
export class WorkerRuntime {
  #executor: NestedExecutor | undefined
  readonly #link: WorkerLink
  readonly #callables: CallableCache
  readonly #require: RequireFunction | undefined
  readonly #beforeStart: BeforeStart | undefined
  readonly #reportStarts: boolean
  readonly #queue = new FifoQueue<Pending>()
  readonly #meanBySpec = new Map<number, number>()
  readonly #out = new ResultBuffer()
  readonly #aborted = new Map<number, unknown>()
  readonly #rejectWait: (waitId: number, error: Error) => void
  #diag = false
  #draining = false
  #current: WorkerTaskContext | undefined
  #currentStream: StreamPump | undefined
  #lastAborted = false
  #firstOutAt = 0
  #immediate: NodeJS.Immediate | undefined

  /**
   * @param options.beforeStart see {@link BeforeStart}
   * @param options.diag someone listens to wait events (each `run` message says it again)
   * @param options.reportStarts while `diag`, tell the pool when a task goes async (claims policy:
   *   from then on it holds the worker and may wait on other futures)
   * @param options.require the worker entry's `require` (a CommonJS entry): task modules load
   *   with it first where that gives what `import()` gives (`require-first.ts`)
   */
  constructor(
    link: WorkerLink,
    options?: { readonly beforeStart?: BeforeStart; readonly diag?: boolean; readonly reportStarts?: boolean; readonly require?: RequireFunction | undefined },
  ) {
    this.#link = link
    this.#require = requireForTasks(options?.require)
    this.#callables = new CallableCache(`@x/${link.kind}-pool`, this.#require)
    this.#beforeStart = options?.beforeStart
    this.#reportStarts = options?.reportStarts ?? false
    this.#diag = options?.diag ?? false
    this.#rejectWait = forwardWaits(link, (futureId) => this.#executor?.refByFutureId.get(futureId), () => this.#diag)
  }

  /**
   * `currentTask().executor` of every task here: made on first use (most tasks never submit
   * nested work, and its classes are the part of `@x/future` a worker does not load to start).
   */
  get executor(): NestedExecutor {
    return (this.#executor ??= newNestedExecutor(this.#link))
  }

  /** Runs the pool's initializer; its error, serialized, when it threw. */
  async initialize(initializer: { readonly spec: CallableSpec; readonly args: unknown[] } | undefined): Promise<SerializedError | undefined> {
    if (initializer === undefined) return undefined
    try {
      const required = this.#require === undefined ? undefined : requiredTask(this.#require, initializer.spec)
      await (required === undefined ? invokeCallable(initializer.spec, initializer.args) : required(...initializer.args))
      return undefined
    } catch (error) {
      return serializeError(error)
    }
  }

  /** Handles one message from the pool. */
  receive(message: ToWorker): void {
    switch (message.type) {
      case 'run':
        this.#diag = message.diag === true
        this.#enqueue(message.batch)
        if (!this.#draining) this.#drain()
        break
      case 'settle':
        this.#executor?.settle(message.ref, message.outcome, message.value)
        break
      case 'abort': {
        const reason = deserializeError(message.reason)
        if (this.#current?.id === message.id) this.#current.abort(reason)
        // Already done, its result waiting here: send it now, before the pool's abort grace
        // period runs out and it ends this worker over a task that has finished.
        else if (this.#out.has(message.id)) this.#flush()
        else this.#aborted.set(message.id, reason)
        break
      }
      case 'credit':
        if (this.#current?.id === message.id) this.#currentStream?.credit(message.count)
        break
      case 'rejectWait': {
        const error = deserializeError(message.error)
        this.#rejectWait(message.waitId, error instanceof Error ? error : new Error(String(error)))
        break
      }
    }
  }

  /**
   * Handles a `run` of one plain call: what a `run` message whose batch holds only it says,
   * without the batch (a transport whose wire has a short form for it saves making one).
   * `slot`, `ticket`: its claim word (see {@link BeforeStart}); `diag`: as the message's.
   */
  receiveCall(id: number, specId: number, name: string | undefined, slot: number, ticket: number, args: unknown[], diag: boolean): void {
    this.#diag = diag
    this.#queue.push({ id, specId, args, name, chunk: false, slot, highWaterMark: 0, ticket })
    if (!this.#draining) this.#drain()
  }

  /** Sends the results gathered so far. */
  flush(): void {
    this.#flush()
  }

  #enqueue(batch: RunBatch): void {
    if (batch.specs !== undefined) for (const { specId, spec } of batch.specs) this.#callables.define(specId, spec)
    const { ids, specIds, args, names, chunks, slots, tickets, streams } = batch
    for (let i = 0; i < ids.length; i++) {
      this.#queue.push({
        id: ids[i] ?? 0,
        specId: specIds[i] ?? 0,
        args: args[i] ?? [],
        name: names[i],
        chunk: chunks?.[i] === true,
        slot: slots?.[i] ?? -1,
        highWaterMark: streams?.[i] ?? 0,
        ticket: tickets?.[i] ?? 0,
      })
    }
  }

  /**
   * Runs the queued tasks in order. A task answered synchronously (see `runCall`) is followed by
   * the next one at once, with no promise in between; the loop waits only for a task that
   * returned a promise (or a callable still loading), and goes on from its settlement.
   */
  #drain(): void {
    this.#draining = true
    // the clock read when the last task ended, while nothing else ran since (-1: read it again)
    let clock = -1
    for (let task = this.#queue.shift(); task !== undefined; task = this.#queue.shift()) {
      // A task that may run long must not hold back results that are ready.
      if (this.#out.size > 0 && (this.#meanBySpec.get(task.specId) ?? Infinity) > SHORT_TASK_MS) {
        this.#flush()
        clock = -1
      }
      const t0 = clock >= 0 ? clock : performance.now()
      let value: unknown
      try {
        value = this.#run(task, t0)
      } catch (error) {
        clock = this.#settled(task, t0, false, serializeError(error))
        continue
      }
      if (isThenable(value)) {
        const onSettled = (ok: boolean, outcome: unknown): void => {
          this.#settled(task, t0, ok, ok ? outcome : serializeError(outcome))
          this.#drain()
        }
        value.then(
          (result) => {
            onSettled(true, result)
          },
          (error: unknown) => {
            onSettled(false, error)
          },
        )
        return
      }
      clock = this.#settled(task, t0, true, value)
    }
    this.#draining = false
    this.#flush()
  }

  /**
   * A task is done (`ok`, or `value` is its serialized error): its result joins the batch.
   * Returns the clock it read, for the next task's start, or -1 when it sent the batch since.
   */
  #settled(task: Pending, t0: number, ok: boolean, value: unknown): number {
    if (value === SKIPPED) return -1
    const now = performance.now()
    const took = now - t0
    const mean = this.#meanBySpec.get(task.specId)
    this.#meanBySpec.set(task.specId, mean === undefined ? took : mean * 0.8 + took * 0.2)
    if (this.#out.size === 0) this.#firstOutAt = now
    this.#out.add(task.id, task.name, ok, value, took)
    // Send what is ready once it is as much as what is left here, so the pool can send more
    // while this worker works through the rest (no stop-and-go). An aborted task's result goes
    // at once: the pool ends this worker if it does not come within the abort grace period.
    if (
      this.#out.size >= MAX_BATCH ||
      this.#out.size >= this.#queue.size ||
      took > SHORT_TASK_MS ||
      now - this.#firstOutAt > MAX_BATCH_DELAY_MS ||
      this.#lastAborted
    ) {
      this.#flush()
      return -1
    }
    this.#immediate ??= setImmediate(() => { this.#flush() })
    return now
  }

  /**
   * Runs one task (`t0`: the clock as it starts): its value (or {@link SKIPPED}) when it was
   * answered synchronously, else a promise of it.
   * @throws the task's error when it threw synchronously.
   */
  #run(task: Pending, t0: number): unknown {
    this.#lastAborted = false
    const spec = this.#callables.spec(task.specId)
    const fn = this.#callables.loaded(task.specId)
    if (fn === undefined) return this.#callables.load(task.specId).then(() => this.#run(task, performance.now()))
    if (this.#beforeStart !== undefined && !this.#beforeStart(task.id, task.slot, task.ticket, t0)) {
      this.#aborted.delete(task.id)
      return SKIPPED
    }
    const call = this.#reportStarts && this.#diag ? this.#reportingStart(fn, task) : fn
    // (aborts that came before their task started are rare: no lookup while there are none)
    const context = new WorkerTaskContext(task.id, task.name, this, this.#aborted.size === 0 ? undefined : this.#aborted.get(task.id), this.#link)
    this.#current = context
    let value: unknown
    try {
      if (task.highWaterMark > 0) {
        const pump = new StreamPump(context, this.#link, task.highWaterMark)
        this.#currentStream = pump
        value = pump.run(spec, call, task.args).then(() => undefined)
      } else value = runCall(spec, call, task.args, task.chunk, context)
    } catch (error) {
      this.#failed(task, context)
      throw error
    }
    if (!isThenable(value)) return this.#ended(task, context, value)
    return value.then(
      (result) => this.#ended(task, context, result),
      (error: unknown) => {
        this.#failed(task, context)
        throw error
      },
    )
  }

  /** The task threw: its context ends (a pending progress report still goes), then it leaves. */
  #failed(task: Pending, context: WorkerTaskContext): void {
    context.end()
    this.#leave(task, context)
  }

  /** The task returned `value`: it leaves, then the last progress report goes before the result. */
  #ended(task: Pending, context: WorkerTaskContext, value: unknown): unknown {
    this.#leave(task, context)
    // one that could not be sent fails the task
    const progressError = context.end()
    if (progressError !== undefined) throw progressError
    return value
  }

  #leave(task: Pending, context: WorkerTaskContext): void {
    this.#lastAborted = context.aborted
    this.#current = undefined
    this.#currentStream = undefined
    if (this.#aborted.size > 0) this.#aborted.delete(task.id)
  }

  /**
   * While someone listens (claims policy): tell the pool when the task starts holding this worker
   * for a while, since it may then wait on other futures: a stream at once; a call once it
   * returns a promise (the returned function says so). A call that returns a plain value needs no
   * `started` (its result says it all): one message per tiny task, and the future:start it
   * causes, would double what the pool handles per task.
   */
  #reportingStart(fn: TaskFunction, task: Pending): TaskFunction {
    const started = (): void => {
      this.#link.send({ type: 'started', id: task.id })
    }
    if (task.highWaterMark > 0) {
      started()
      return fn
    }
    let reported = false
    return (...args: unknown[]): unknown => {
      const value = fn(...args)
      if (!reported && typeof (value as { then?: unknown } | null | undefined)?.then === 'function') {
        reported = true
        started()
      }
      return value
    }
  }

  #flush(): void {
    if (this.#immediate !== undefined) {
      clearImmediate(this.#immediate)
      this.#immediate = undefined
    }
    this.#out.flush(this.#link)
  }
}

const SKIPPED: unique symbol = Symbol('skipped')
