/**
 * What the engine's parts (dispatch, lifecycle, messages, abort) see of the engine: a leaf
 * type, so the parts never import `engine.ts` (which imports them).
 *
 * @module
 */
import type { CallableSpec, Future } from '@x/future'
import type { Transferable } from 'node:worker_threads'
import type { CallableTable } from '../callable-table.js'
import type { ClaimWords } from '../claims.js'
import type { FromWorker } from '../protocol.js'
import type { FifoQueue } from '../queue.js'
import type { SendWindow } from '../send-window.js'
import type { StartBackoff } from '../start-backoff.js'
import type { ClaimStrategy } from './claim-strategy.js'
import type { PoolErrors, Transport } from './transport.js'
import type { EngineItem, WorkerRecord } from './worker-record.js'
import type { StreamSink } from './stream-sink.js'

/**
 * The engine's settings.
 * @since 0.1.0
 */
export interface EngineOptions {
  /** The executor's id (events) and label. */
  readonly executorId: number
  /** The most workers at once (more only while the deadlock detector borrows some). */
  readonly maxWorkers: number
  /** Replace a worker after this many tasks. */
  readonly maxTasksPerWorker: number | undefined
  /** Workers started at once and kept while idle (idle ones never keep the host alive). @default 0 */
  readonly minWorkers?: number | undefined
  /** End a worker idle this long (ms). */
  readonly idleTimeout: number | undefined
  /** Ms an aborted running task gets before its worker is ended (`Infinity`: never). */
  readonly abortGracePeriod: number
  /**
   * Counts a nested call (work a task submitted from inside a worker) in the executor's
   * `stats()`: pass the executor's `trackCall`. Without it, `stats()` sees only the calls
   * submitted through the executor.
   */
  readonly trackNested?: ((future: Future) => void) | undefined
  /**
   * How work is claimed: claim words shared with the workers (the `claims` policy: work sent
   * ahead stays cancellable until its worker claims it), or none (`sentMeansStarted`).
   * @default undefined (sentMeansStarted)
   */
  readonly claimWords?: ClaimWords | undefined
}

/** The engine as its parts use it. */
export interface EngineState<H> {
  readonly options: EngineOptions
  readonly transport: Transport<H>
  readonly errors: PoolErrors
  readonly callables: CallableTable
  readonly claims: ClaimStrategy
  readonly window: SendWindow
  readonly backoff: StartBackoff
  readonly queue: FifoQueue<EngineItem>
  queued: number
  inflight: number
  readonly workers: Set<WorkerRecord>
  starting: number
  lent: number
  shutdown: boolean
  forced: boolean
  broken: Error | undefined
  retryTimer: NodeJS.Timeout | undefined
  readonly freeWorkerIds: number[]
  nextWorkerId: number
  stopWhenDrained: boolean
  readonly initializer: { readonly spec: CallableSpec; readonly args: unknown[] } | undefined
  checkOpen(): void
  submit(
    spec: CallableSpec,
    args: unknown[],
    chunk: boolean,
    name: string | undefined,
    signal: AbortSignal | undefined,
    callerTaskId: number | undefined,
    stream?: StreamSink,
    transfer?: readonly Transferable[],
  ): Future
  schedule(): void
  pumpNow(): void
  shutDown(cancelFutures: boolean): void
  checkDrained(): void
  maybeStopWorkers(): void
  countStopping(): number
  ensureMinWorkers(): void
  break(error: Error): void
  spawn(): void
  afterResults(worker: WorkerRecord): void
  onWorkerMessage(worker: WorkerRecord, message: FromWorker): void
  onWorkerResult(worker: WorkerRecord, id: number, value: unknown, meanMs: number): void
}
