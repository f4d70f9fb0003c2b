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
  /** Set right after construction: the future is created with this object as its cancel hook. */
  future!: Future
  state: WorkState = 'queued'
  worker: WorkerRecord | undefined = undefined
  announced = false
  onAbort: (() => void) | undefined = undefined
  graceTimer: NodeJS.Timeout | undefined = undefined
  slot = -1
  ticket = 0
  bytes = -1
  heldShare = 0

  constructor(
    /** The engine that queued it. */
    readonly engine: EngineState<unknown>,
    readonly specId: number,
    readonly spec: CallableSpec,
    public args: unknown[],
    readonly chunk: boolean,
    readonly signal: AbortSignal | undefined,
    readonly stream: StreamSink | undefined,
    public transfer: readonly Transferable[] | undefined,
  ) {}

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
