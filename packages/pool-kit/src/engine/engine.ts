/**
 * The scheduling engine both pools run: one queue of work items, workers started on demand (at
 * most `maxWorkers`, plus any lent to the deadlock detector), work sent ahead within the
 * {@link SendWindow}, cancel, shutdown, and the pool breaking. A pool supplies its transport
 * and its errors ({@link Transport}, {@link PoolErrors}); worker lifecycle and recovery are in
 * `lifecycle.ts`, sending in `dispatch.ts`, messages from workers in `messages.ts`, aborts in
 * `abort.ts`.
 *
 * @module
 */
import type { Transferable } from 'node:worker_threads'
import { channels, Future, ShutdownError } from '@x/future'
import type { CallableSpec, FutureSubmitEvent } from '@x/future'
import { CallableTable } from '../callable-table.js'
import { FifoQueue } from '../queue.js'
import { SendWindow } from '../send-window.js'
import { StartBackoff } from '../start-backoff.js'
import { detach, onAbort } from './abort.js'
import { claimWordsPolicy, sentMeansStarted } from './claim-strategy.js'
import type { ClaimStrategy } from './claim-strategy.js'
import { ClaimedFuture } from './claimed-future.js'
import type { ClaimOwner } from './claimed-future.js'
import { cancelSent, syncAllClaims, syncClaim } from './claiming.js'
import { idleWorker, pump, sendAlone, sendCredit } from './dispatch.js'
import { afterResults, spawn, stop } from './lifecycle.js'
import type { EngineOptions } from './engine-state.js'
import { onMessage, onResult } from './messages.js'
import { QueuedWork } from './queued-work.js'
import type { FromWorker } from '../protocol.js'
import type { PoolErrors, Transport } from './transport.js'
import type { EngineItem, WorkerRecord } from './worker-record.js'
import type { StreamSink } from './stream-sink.js'

export type { EngineOptions } from './engine-state.js'

/**
 * Moves a call's buffers now, as `postMessage` would (the caller's copies detached), and returns
 * the arguments and transfer list that hold them (`submitWith({ transfer })`'s `moveTransfer`).
 * @throws what the pool says of a transfer list that cannot move (a TypeError).
 * @since 0.2.0
 */
export type MoveTransfer = (args: unknown[], transfer: readonly Transferable[]) => [args: unknown[], transfer: readonly Transferable[]]

/** What {@link PoolEngine.schedule} queues its dispatcher run on. */
const fulfilled = Promise.resolve()

/**
 * One pool's engine. The executor class validates its arguments and calls these methods.
 * @since 0.1.0
 */
export class PoolEngine<H = unknown> {
  /** @internal */ readonly options: EngineOptions
  /** @internal */ readonly transport: Transport<H>
  /** @internal */ readonly errors: PoolErrors
  /** The pool's callable numbers; `callables.describe(fn)` checks and describes a callable. */
  readonly callables = new CallableTable()
  /** @internal how work is claimed (the `claimWords` option) */
  readonly claims: ClaimStrategy
  /** @internal */ readonly window = new SendWindow()
  /** @internal */ readonly backoff = new StartBackoff()
  /** @internal */ readonly queue = new FifoQueue<EngineItem>()
  /** @internal the queued items not cancelled (the queue may hold cancelled ones until they reach its head) */
  queued = 0
  /** @internal items sent to workers and not settled there */
  inflight = 0
  /** @internal */ readonly workers = new Set<WorkerRecord>()
  /** @internal */ starting = 0
  /** @internal workers lent beyond maxWorkers */
  lent = 0
  /** Whether the pool takes no new work (shut down, or broken). */
  shutdown = false
  /** @internal terminate/kill ran: nothing is queued again */
  forced = false
  /** @internal */ broken: Error | undefined
  /** @internal a start waits for its backoff delay */
  retryTimer: NodeJS.Timeout | undefined
  /** @internal */ readonly freeWorkerIds: number[] = []
  /** @internal */ nextWorkerId = 1
  /** @internal */ stopWhenDrained = false
  /** @internal the initializer, sent to each worker as it starts */
  readonly initializer: { readonly spec: CallableSpec; readonly args: unknown[] } | undefined
  #scheduled = false
  #drainWaiters: (() => void)[] = []
  readonly #claimOwner: ClaimOwner = {
    sync: (item) => {
      syncClaim(this, item)
    },
    cancelSent: (item) => cancelSent(this, item),
  }

  constructor(
    options: EngineOptions,
    transport: Transport<H>,
    errors: PoolErrors,
    initializer?: { readonly spec: CallableSpec; readonly args: unknown[] },
  ) {
    this.options = options
    this.transport = transport
    this.errors = errors
    this.initializer = initializer
    this.claims = options.claimWords === undefined ? sentMeansStarted() : claimWordsPolicy(options.claimWords)
  }

  /**
   * Throws the Broken*Error, or the shutdown error, when no new work is taken.
   * @throws the pool's Broken*Error once it is broken; `ShutdownError` after `shutDown()`.
   */
  checkOpen(): void {
    if (this.broken !== undefined) throw this.broken
    if (this.shutdown) throw new ShutdownError()
  }

  /**
   * Queues a call (or a chunk, `args` packed) and returns its future, named `name`, or by default
   * after the function or export (none for an anonymous function). With `stream`, the call
   * is a `stream()` task: its worker runs it as a generator and sends what it yields to `stream`.
   * `transfer`: buffers moved to the worker with it (the transport passes them on; the work then
   * cannot be sent twice). `move`: when given, `args` and `transfer` are still the caller's, and
   * a call that cannot go to a worker at once is moved with it before it is queued (it throws
   * then, and nothing is queued); a call that goes at once moves as its message is posted. Either
   * way the caller's buffers are detached when `submit()` returns.
   */
  submit(
    spec: CallableSpec,
    args: unknown[],
    chunk: boolean,
    name: string | undefined,
    signal: AbortSignal | undefined,
    callerTaskId: number | undefined,
    stream?: StreamSink,
    transfer?: readonly Transferable[],
    move?: MoveTransfer,
  ): Future {
    const item = new QueuedWork(
      this,
      this.callables.idOf(spec),
      spec,
      args,
      chunk,
      signal,
      stream,
      transfer !== undefined && transfer.length > 0 ? transfer : undefined,
    )
    if (name === undefined && spec.name !== 'anonymous') name = spec.name
    const future = this.claims.sentMeansStarted ? new Future({ name, cancelHook: item }) : new ClaimedFuture(this.#claimOwner, name, item)
    item.future = future
    // A lone call and an idle thread: sent now, before anything else can submit (one microtask
    // less per round trip, and none of the dispatcher's search); calls submitted together still
    // go in one message, from the dispatcher run scheduled after them. (Claims policy only: under
    // sentMeansStarted a call is RUNNING once sent, and a caller that sees it RUNNING should find
    // it started, not still in the pipe, as a microtask later it is far more likely to be.)
    // (a call whose buffers are still the caller's goes at once only in the short form: its
    // message detaches them; else they move here, before anything of the call is kept)
    const alone =
      this.queued === 0 && !this.#scheduled && !this.claims.sentMeansStarted && signal?.aborted !== true && sendAlone(this, item, move !== undefined)
    if (!alone) {
      if (move !== undefined && item.transfer !== undefined) [item.args, item.transfer] = move(item.args, item.transfer)
      this.queue.push(item)
      this.queued++
    }
    stream?.connect((count) => {
      sendCredit(this, item, count)
    })
    if (channels.futureSubmit.hasSubscribers) {
      channels.futureSubmit.publish({ futureId: future.id, executorId: this.options.executorId, name, callerTaskId } satisfies FutureSubmitEvent)
    }
    if (signal !== undefined) {
      if (signal.aborted) future.cancel()
      else {
        item.onAbort = () => {
          onAbort(this, item)
        }
        signal.addEventListener('abort', item.onAbort, { once: true })
      }
    }
    if (alone) return future
    // (a call sendAlone leaves to the dispatcher, with an idle thread: the dispatcher now)
    if (this.queued === 1 && !this.#scheduled && !this.claims.sentMeansStarted && idleWorker(this) !== undefined) pump(this)
    else this.schedule()
    return future
  }

  /** @internal starts one worker */
  spawn(): void {
    spawn(this)
  }

  /** @internal a worker's results are in (or a send failed): recycle, stop or idle it, send more */
  afterResults(worker: WorkerRecord): void {
    afterResults(this, worker)
  }

  /** @internal */
  onWorkerMessage(worker: WorkerRecord, message: FromWorker): void {
    onMessage(this, worker, message)
  }

  /** @internal */
  onWorkerResult(worker: WorkerRecord, id: number, value: unknown, meanMs: number): void {
    onResult(this, worker, id, value, meanMs)
  }

  /** Reads the claim words of the work sent ahead (call it before `stats()` counts what runs). */
  syncClaims(): void {
    syncAllClaims(this)
  }

  /** Runs the dispatcher now. */
  pumpNow(): void {
    pump(this)
  }

  /** Runs the dispatcher soon (once per turn, however often it is asked). */
  schedule(): void {
    if (this.#scheduled) return
    this.#scheduled = true
    // (a microtask, as queueMicrotask() queues, without the AsyncResource Node's makes for each,
    // nor its async scope around the call: in a burst of calls larger than the workers take, each
    // result asks for a dispatcher run, in V8's unoptimized tiers for the first hundreds: W6)
    void fulfilled.then(this.#scheduledPump)
  }

  /** The scheduled dispatcher run; what it throws is uncaught, as from a queueMicrotask() callback. */
  readonly #scheduledPump = (): void => {
    this.#scheduled = false
    try {
      pump(this)
    } catch (error) {
      queueMicrotask(() => {
        throw error
      })
    }
  }

  /** Marks the pool shut down, cancels the queue if asked, and lets idle workers go. */
  shutDown(cancelFutures: boolean): void {
    this.shutdown = true
    this.stopWhenDrained = true
    if (cancelFutures) {
      // claims policy: work sent ahead and not claimed is pending too (what an idle worker takes
      // back meanwhile lands in the queue, cancelled next)
      if (!this.claims.sentMeansStarted) {
        for (const worker of [...this.workers]) for (const item of [...worker.held.values()]) if (item.state === 'sent') item.future.cancel()
      }
      for (const item of [...this.queue]) if (item.state === 'queued') item.future.cancel()
    }
    this.maybeStopWorkers()
  }

  /** Resolves once nothing is queued or running. */
  whenDrained(): Promise<void> {
    if (this.queued === 0 && this.inflight === 0) return Promise.resolve()
    return new Promise((resolve) => this.#drainWaiters.push(resolve))
  }

  /** Resolves when every worker has exited. */
  stopAll(): Promise<void> {
    return Promise.all([...this.workers].map((worker) => stop(this, worker))).then(() => undefined)
  }

  /** @internal wakes whenDrained() waiters once nothing is queued or running */
  checkDrained(): void {
    if (this.queued !== 0 || this.inflight !== 0) return
    // (each round trip of a lone call drains the pool: no new array unless someone waits)
    if (this.#drainWaiters.length > 0) {
      const waiters = this.#drainWaiters
      this.#drainWaiters = []
      for (const resolve of waiters) resolve()
    }
    // after shutdown({ wait: false }), the workers go once the work is done
    this.maybeStopWorkers()
  }

  /** @internal */
  maybeStopWorkers(): void {
    if (!this.stopWhenDrained || this.queued > 0 || this.inflight > 0) return
    if (this.retryTimer !== undefined) {
      clearTimeout(this.retryTimer)
      this.retryTimer = undefined
    }
    void this.stopAll()
  }

  /** Ends every worker with `signal` (Python 3.14's terminate_workers()/kill_workers()). */
  force(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    this.forced = true
    this.shutDown(true)
    const workers = [...this.workers]
    for (const worker of workers) {
      if (worker.life === 'gone') continue
      if (worker.life === 'starting') {
        this.starting--
        worker.life = 'stopping'
      }
      this.transport.kill(worker.handle as H, signal)
    }
    return Promise.all(workers.map((worker) => worker.gone)).then(() => undefined)
  }

  /** One extra worker beyond `maxWorkers` (deadlock compensation), at most `maxWorkers` extra. */
  lend(): (() => void) | undefined {
    if (this.lent >= this.options.maxWorkers || this.shutdown) return undefined
    this.lent++
    this.schedule()
    let given = false
    return () => {
      if (given) return
      given = true
      this.lent--
      this.trimIdle()
    }
  }

  /** @internal stops idle workers beyond the limit */
  trimIdle(): void {
    const limit = this.options.maxWorkers + this.lent
    for (const worker of this.workers) {
      if (this.workers.size - this.countStopping() <= limit) break
      if (worker.life === 'ready' && worker.held.size === 0) void stop(this, worker)
    }
  }

  /**
   * Starts workers until `minWorkers` are starting or ready (the executor calls it once its
   * engine exists; the engine again when a worker that had started is gone). Not after shutdown.
   */
  ensureMinWorkers(): void {
    const min = this.options.minWorkers ?? 0
    if (min === 0 || this.shutdown || this.broken !== undefined) return
    let live = 0
    for (const worker of this.workers) if (worker.life === 'starting' || worker.life === 'ready') live++
    for (; live < min; live++) spawn(this)
  }

  /** @internal */
  countStopping(): number {
    let n = 0
    for (const worker of this.workers) if (worker.life === 'stopping') n++
    return n
  }

  /** The pool cannot run work any more: every queued and running future fails with `error`. */
  break(error: Error): void {
    if (this.broken !== undefined) return
    this.broken = error
    this.shutdown = true
    this.stopWhenDrained = true
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer)
    this.retryTimer = undefined
    for (const item of this.queue.drain()) {
      if (item.state !== 'queued') continue
      item.state = 'done'
      detach(item)
      // (one queued again after its worker died is RUNNING already)
      if (item.future.running() || item.future.setRunningOrNotifyCancel()) item.future.setException(error)
    }
    this.queued = 0
    for (const worker of [...this.workers]) {
      for (const item of worker.held.values()) {
        item.state = 'done'
        detach(item)
        this.claims.release(item)
        if (!item.future.done()) item.future.setException(error)
      }
      this.inflight -= worker.held.size
      worker.held.clear()
      worker.heldBytes = 0
      void stop(this, worker)
    }
    this.checkDrained()
  }

  /** How many workers exist now (starting ones included, stopping ones until they are gone). */
  get workerCount(): number {
    return this.workers.size
  }

  /** The process ids of the live workers (processes), starting ones included. */
  pids(): number[] {
    const pids: number[] = []
    for (const worker of this.workers) {
      if (worker.life === 'gone' || worker.handle === undefined) continue
      const pid = this.transport.pid(worker.handle as H)
      if (pid !== undefined) pids.push(pid)
    }
    return pids
  }
}
