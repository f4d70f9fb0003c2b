/**
 * A submitted call as the engine holds it: the {@link EngineItem} and its future's cancel hook
 * in one object, so a call costs no closure or callback array for its cancel.
 *
 * @module
 */
import type { Transferable } from 'node:worker_threads'
import type { CallableSpec, CancelHook, Future } from '@x/future'
import type { WorkState } from '../work-item.js'
import { detach } from './abort.js'
import type { EngineState } from './engine-state.js'
import type { StreamSink } from './stream-sink.js'
import type { EngineItem, WorkerRecord } from './worker-record.js'

/**
 * One call or `map()` chunk from submit to settle.
 * @since 0.2.0
 */
export class QueuedWork implements EngineItem, CancelHook {
  // (fields declared, and set once in the constructor: class fields would be defined by an
  // initializer function of their own, the constructor's parameters once as undefined and again
  // with their values; one call and twenty-odd stores per call, in V8's unoptimized tiers where a
  // burst's first hundreds of calls run, W6)
  /** The engine that queued it. */
  declare readonly engine: EngineState<unknown>
  declare readonly specId: number
  declare readonly spec: CallableSpec
  declare args: unknown[]
  declare readonly chunk: boolean
  declare readonly signal: AbortSignal | undefined
  declare readonly stream: StreamSink | undefined
  declare transfer: readonly Transferable[] | undefined
  /** Set right after construction: the future is created with this object as its cancel hook. */
  declare future: Future
  declare state: WorkState
  declare worker: WorkerRecord | undefined
  declare announced: boolean
  declare onAbort: (() => void) | undefined
  declare graceTimer: NodeJS.Timeout | undefined
  declare slot: number
  declare ticket: number
  declare bytes: number
  declare heldShare: number

  constructor(
    engine: EngineState<unknown>,
    specId: number,
    spec: CallableSpec,
    args: unknown[],
    chunk: boolean,
    signal: AbortSignal | undefined,
    stream: StreamSink | undefined,
    transfer: readonly Transferable[] | undefined,
  ) {
    this.engine = engine
    this.specId = specId
    this.spec = spec
    this.args = args
    this.chunk = chunk
    this.signal = signal
    this.stream = stream
    this.transfer = transfer
    this.future = undefined as unknown as Future
    this.state = 'queued'
    this.worker = undefined
    this.announced = false
    this.onAbort = undefined
    this.graceTimer = undefined
    this.slot = -1
    this.ticket = 0
    this.bytes = -1
    this.heldShare = 0
  }

  /**
   * The one cancel hook: a future cancelled while queued leaves the queue now, and
   * `wait()`/`asCompleted()` see it at once. (Work sent to a worker: see the claim policy.)
   */
  futureCancelled(): void {
    if (this.state !== 'queued') return
    this.state = 'done'
    const engine = this.engine
    engine.queued--
    detach(this)
    this.future.setRunningOrNotifyCancel()
    engine.checkDrained()
  }
}
