/**
 * `@x/pool-kit`: the engine parts `@x/thread-pool` and `@x/process-pool` share, for backend
 * authors: a ring-buffer queue, work items with one state, cancel claims (the engine's claim policy plug-in), the send-ahead window,
 * start backoff, dead-worker recovery, callable interning, the chunk codec, the message protocol
 * and the shared error classes. The worker side is `@x/pool-kit/worker`.
 *
 * @packageDocumentation
 */
export { FifoQueue } from './queue.js'
export { newWorkItem } from './work-item.js'
export type { WorkItem, WorkState } from './work-item.js'
export { ClaimWords, CLAIM_PENDING, CLAIM_RUNNING, CLAIM_CANCELLED } from './claims.js'
export type { ClaimPolicy } from './claims.js'
export { SendWindow } from './send-window.js'
export { StartBackoff } from './start-backoff.js'
export type { StartBackoffOptions, StartVerdict } from './start-backoff.js'
export { splitDeadWorker, describeExit } from './dead-worker.js'
export type { DeadWorkerSplit } from './dead-worker.js'
export { CallableTable } from './callable-table.js'
export { packColumn, unpackColumn, packTuples, labelledArguments } from './chunk-codec.js'
export { packCallColumns } from './call-columns.js'
export type { Column, PackedTuples } from './chunk-codec.js'
export { isPoolMessage } from './protocol.js'
export type { ToWorker, FromWorker, RunBatch, ResultBatch, NestedOutcome } from './protocol.js'
export { WorkerDiedError, SerializationError } from './errors.js'
export { inheritedExecArgv } from './exec-argv.js'
export { runtimeCoreUrl } from './runtime-core-url.js'
export { checkWorkerLifecycle } from './lifecycle-options.js'
export type { WorkerLifecycle } from './lifecycle-options.js'
export type { WorkerDeath } from './errors.js'
export { PoolEngine } from './engine/engine.js'
export type { EngineOptions, MoveTransfer } from './engine/engine.js'
export type { StreamSink } from './engine/stream-sink.js'
export { openPoolStream, streamSinkOption } from './stream.js'
export type { StreamSubmitOptions } from './stream.js'
export type { Transport, WorkerEvents, PoolErrors, DeathInfo } from './engine/transport.js'
export type { EngineItem, WorkerRecord, WorkerLife } from './engine/worker-record.js'
export type { ClaimStrategy, SendOutcome } from './engine/claim-strategy.js'
