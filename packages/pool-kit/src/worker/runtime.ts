/**
 * The worker-side task runtime both pools' entries run: it takes `run` batches, runs their tasks
 * one at a time in the order sent, and sends results back in batches (at once after a slow task
 * or when nothing is left to run; short ones are gathered for up to a couple of milliseconds).
 * It also routes the pool's other messages: aborts, nested outcomes, rejected waits.
 *
 * @module
 */
import { deserializeError, executorClassesLoading, invokeCallable, serializeError } from '@x/future/runtime'
import type { CallableSpec, SerializedError } from '@x/future'
import { monotonicMs } from '../clock.js'
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
import { queueBatch } from './pending.js'
import type { Pending } from './pending.js'

/** Flush results at once after a task that took longer than this (ms); batch shorter ones. */
const SHORT_TASK_MS = 0.2
/** Flush at least this often while short tasks keep coming (ms). */
const MAX_BATCH_DELAY_MS = 2
const MAX_BATCH = 256

/**
 * Called just before a task runs; `false` skips it (the pool took it back). The process pool
 * writes its start marker here; the thread pool claims the task's word (`slot`, `ticket`: see
 * `ClaimWords.claimRun`; -1 and 0 without claim words). `at`: the start time, a reading of the
 * runtime's clock (`monotonicMs()`, the same in every thread and process, unless its `clock`
 * option says otherwise).
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
  // TypeScript-private fields and methods, not `#` ones: in V8's unoptimized tiers, where a
  // worker runs its first thousand-odd calls, each `#` access is a keyed lookup of a private
  // symbol, dearer than a named load or store, and this class is on every call's path (issue 13,
  // W2: the thread's instructions per round trip, callgrind, 40.4k with `#`, 37.8k without).
  private _executor: NestedExecutor | undefined
  private readonly _link: WorkerLink
  private readonly _callables: CallableCache
  private readonly _require: RequireFunction | undefined
  private readonly _beforeStart: BeforeStart | undefined
  private readonly _reportStarts: boolean
  private readonly _now: () => number
  private readonly _queue = new FifoQueue<Pending>()
  private readonly _meanBySpec = new Map<number, number>()
  private readonly _out = new ResultBuffer()
  private readonly _aborted = new Map<number, unknown>()
  /** Rejects a forwarded wait (waits.ts): nothing to reject before the first nested executor. */
  private _rejectWait: (waitId: number, error: Error) => void = () => undefined
  private _diag = false
  private _draining = false
  private _current: WorkerTaskContext | undefined
  private _currentStream: StreamPump | undefined
  private _lastAborted = false
  private _firstOutAt = 0
  /**
   * When the task that returned a promise (or waits for its callable) started: the clock as the
   * drain came to it or, when its callable had to load first, as it was loaded. Loading a task
   * module is not running the task: counted, the first call of a callable on each worker read as
   * milliseconds long (W4's square: 6.6 and 7.0 ms against 0.1), and the pool sent the callable
   * ahead one call at a time until its average forgot them, well into the next map.
   */
  private _startedAt = 0
  private _immediate: NodeJS.Immediate | undefined

  /**
   * @param options.beforeStart see {@link BeforeStart}
   * @param options.diag someone listens to wait events (each `run` message says it again)
   * @param options.reportStarts while `diag`, tell the pool when a task goes async (claims policy:
   *   from then on it holds the worker and may wait on other futures)
   * @param options.clock what times the tasks, in ms (by default the monotonic clock, `process.hrtime`:
   *   not `performance.now()`, whose first reading in a thread or process loads `perf_hooks`, ~1-2 ms
   *   of CPU on the way to its first result)
   * @param options.require the worker entry's `require` (a CommonJS entry): task modules load
   *   with it first where that gives what `import()` gives (`require-first.ts`)
   */
  constructor(
    link: WorkerLink,
    options?: { readonly beforeStart?: BeforeStart; readonly diag?: boolean; readonly reportStarts?: boolean; readonly clock?: () => number; readonly require?: RequireFunction | undefined },
  ) {
    this._link = link
    this._require = requireForTasks(options?.require)
    this._callables = new CallableCache(`@x/${link.kind}-pool`, this._require)
    this._beforeStart = options?.beforeStart
    this._reportStarts = options?.reportStarts ?? false
    this._now = options?.clock ?? monotonicMs
    this._diag = options?.diag ?? false
  }

  /**
   * `currentTask().executor` of every task here: made on first use (most tasks never submit
   * nested work, and its classes are the part of `@x/future` a worker does not load to start).
   */
  get executor(): NestedExecutor {
    if (this._executor === undefined) {
      const executor = (this._executor = newNestedExecutor(this._link))
      // (only a nested future's waits are forwarded: none before the first nested executor)
      this._rejectWait = forwardWaits(this._link, (futureId) => executor.refByFutureId.get(futureId), () => this._diag)
    }
    return this._executor
  }

  /** Runs the pool's initializer; its error, serialized, when it threw. */
  async initialize(initializer: { readonly spec: CallableSpec; readonly args: unknown[] } | undefined): Promise<SerializedError | undefined> {
    if (initializer === undefined) return undefined
    try {
      const required = this._require === undefined ? undefined : requiredTask(this._require, initializer.spec)
      if (required === undefined) await invokeCallable(initializer.spec, initializer.args)
      else {
        await executorClassesLoading() // (as loadCallable does: callables.ts)
        await required(...initializer.args)
      }
      return undefined
    } catch (error) {
      return serializeError(error)
    }
  }

  /** Handles one message from the pool. */
  receive(message: ToWorker): void {
    switch (message.type) {
      case 'run':
        this._diag = message.diag === true
        this._enqueue(message.batch)
        if (!this._draining) this._drain()
        break
      case 'settle':
        this._executor?.settle(message.ref, message.outcome, message.value)
        break
      case 'abort': {
        const reason = deserializeError(message.reason)
        if (this._current?.id === message.id) this._current.abort(reason)
        // Already done, its result waiting here: send it now, before the pool's abort grace
        // period runs out and it ends this worker over a task that has finished.
        else if (this._out.has(message.id)) this._flush()
        else this._aborted.set(message.id, reason)
        break
      }
      case 'credit':
        if (this._current?.id === message.id) this._currentStream?.credit(message.count)
        break
      case 'rejectWait': {
        const error = deserializeError(message.error)
        this._rejectWait(message.waitId, error instanceof Error ? error : new Error(String(error)))
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
    this._diag = diag
    const task: Pending = { id, specId, args, name, chunk: false, slot, highWaterMark: 0, ticket }
    // (nothing else to run first: it runs now, without a trip through the queue)
    if (!this._draining && this._queue.size === 0) this._drain(task)
    else {
      this._queue.push(task)
      if (!this._draining) this._drain()
    }
  }

  /**
   * No task runs or waits to run here, and no result waits to go: what came so far is answered.
   * (A thread entry may then look for its next message itself for a moment, see thread-pool's worker.ts.)
   */
  get idle(): boolean {
    return !this._draining && this._current === undefined && this._queue.size === 0 && this._out.ids.length === 0
  }

  /** Sends the results gathered so far. */
  flush(): void {
    this._flush()
  }

  private _enqueue(batch: RunBatch): void {
    if (batch.specs !== undefined) for (const { specId, spec } of batch.specs) this._callables.define(specId, spec)
    queueBatch(this._queue, batch)
  }

  /**
   * Runs the queued tasks in order. A task answered synchronously (see `runCall`) is followed by
   * the next one at once, with no promise in between; the loop waits only for a task that
   * returned a promise (or a callable still loading), and goes on from its settlement.
   */
  private _drain(first?: Pending): void {
    this._draining = true
    // the clock read when the last task ended, while nothing else ran since (-1: read it again)
    let clock = -1
    const out = this._out
    for (let task = first ?? this._queue.shift(); task !== undefined; task = this._queue.shift()) {
      // A task that may run long must not hold back results that are ready.
      if (out.ids.length > 0 && (this._meanBySpec.get(task.specId) ?? Infinity) > SHORT_TASK_MS) {
        this._flush()
        clock = -1
      }
      const t0 = clock >= 0 ? clock : this._now()
      let value: unknown
      try {
        value = this._run(task, t0)
      } catch (error) {
        clock = this._settled(task, t0, false, serializeError(error))
        continue
      }
      if (isThenable(value)) {
        this._startedAt = t0
        const onSettled = (ok: boolean, outcome: unknown): void => {
          this._settled(task, this._startedAt, ok, ok ? outcome : serializeError(outcome))
          this._drain()
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
      clock = this._settled(task, t0, true, value)
    }
    this._draining = false
    // (a lone call's result went already: _settled sent it)
    if (out.ids.length > 0) this._flush()
  }

  /**
   * A task is done (`ok`, or `value` is its serialized error): its result joins the batch.
   * Returns the clock it read, for the next task's start, or -1 when it sent the batch since.
   */
  private _settled(task: Pending, t0: number, ok: boolean, value: unknown): number {
    if (value === SKIPPED) return -1
    const now = this._now()
    const took = now - t0
    const mean = this._meanBySpec.get(task.specId)
    this._meanBySpec.set(task.specId, mean === undefined ? took : mean * 0.8 + took * 0.2)
    const out = this._out
    const first = out.ids.length === 0
    // A result that the test below would send at once, alone: straight to the link's short form
    // (what the buffer's flush would do with it, without going through the buffer).
    if (first && ok && this._link.sendResult !== undefined && (this._queue.size <= 1 || took > SHORT_TASK_MS || this._lastAborted)) {
      try {
        this._link.sendResult(task.id, value, took)
        return -1
      } catch {
        // it cannot be copied: the buffer's flush below fails it alone
      }
    }
    if (first) this._firstOutAt = now
    out.add(task.id, task.name, ok, value, took)
    // Send what is ready once it is as much as what is left here, so the pool can send more
    // while this worker works through the rest (no stop-and-go). An aborted task's result goes
    // at once: the pool ends this worker if it does not come within the abort grace period.
    const size = out.ids.length
    if (
      size >= MAX_BATCH ||
      size >= this._queue.size ||
      took > SHORT_TASK_MS ||
      now - this._firstOutAt > MAX_BATCH_DELAY_MS ||
      this._lastAborted
    ) {
      this._flush()
      return -1
    }
    this._immediate ??= setImmediate(() => { this._flush() })
    return now
  }

  /**
   * Runs one task (`t0`: the clock as it starts): its value (or {@link SKIPPED}) when it was
   * answered synchronously, else a promise of it.
   * @throws the task's error when it threw synchronously.
   */
  private _run(task: Pending, t0: number): unknown {
    this._lastAborted = false
    const spec = this._callables.spec(task.specId)
    const fn = this._callables.loaded(task.specId)
    if (fn === undefined) {
      return this._callables.load(task.specId).then(() => {
        const at = this._now()
        this._startedAt = at
        return this._run(task, at)
      })
    }
    if (this._beforeStart !== undefined && !this._beforeStart(task.id, task.slot, task.ticket, t0)) {
      this._aborted.delete(task.id)
      return SKIPPED
    }
    const call = this._reportStarts && this._diag ? this._reportingStart(fn, task) : fn
    // (aborts that came before their task started are rare: no lookup while there are none)
    const context = new WorkerTaskContext(task.id, task.name, this, this._aborted.size === 0 ? undefined : this._aborted.get(task.id), this._link)
    this._current = context
    let value: unknown
    try {
      if (task.highWaterMark > 0) {
        const pump = new StreamPump(context, this._link, task.highWaterMark)
        this._currentStream = pump
        value = pump.run(spec, call, task.args).then(() => undefined)
      } else value = runCall(spec, call, task.args, task.chunk, context)
    } catch (error) {
      this._failed(task, context)
      throw error
    }
    if (!isThenable(value)) return this._ended(task, context, value)
    return value.then(
      (result) => this._ended(task, context, result),
      (error: unknown) => {
        this._failed(task, context)
        throw error
      },
    )
  }

  /** The task threw: its context ends (a pending progress report still goes), then it leaves. */
  private _failed(task: Pending, context: WorkerTaskContext): void {
    context.end()
    this._leave(task, context)
  }

  /** The task returned `value`: it leaves, then the last progress report goes before the result. */
  private _ended(task: Pending, context: WorkerTaskContext, value: unknown): unknown {
    this._leave(task, context)
    // one that could not be sent fails the task
    const progressError = context.end()
    if (progressError !== undefined) throw progressError
    return value
  }

  private _leave(task: Pending, context: WorkerTaskContext): void {
    this._lastAborted = context.aborted
    this._current = undefined
    this._currentStream = undefined
    if (this._aborted.size > 0) this._aborted.delete(task.id)
  }

  /**
   * While someone listens (claims policy): tell the pool when the task starts holding this worker
   * for a while, since it may then wait on other futures: a stream at once; a call once it
   * returns a promise (the returned function says so). A call that returns a plain value needs no
   * `started` (its result says it all): one message per tiny task, and the future:start it
   * causes, would double what the pool handles per task.
   */
  private _reportingStart(fn: TaskFunction, task: Pending): TaskFunction {
    const started = (): void => {
      this._link.send({ type: 'started', id: task.id })
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

  private _flush(): void {
    if (this._immediate !== undefined) {
      clearImmediate(this._immediate)
      this._immediate = undefined
    }
    this._out.flush(this._link)
  }
}

const SKIPPED: unique symbol = Symbol('skipped')
