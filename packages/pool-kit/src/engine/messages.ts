/**
 * Messages from workers: results, nested work (a task's `currentTask().executor.submit()`),
 * cancels of nested work, forwarded waits, `shutdown()` from a task, and the report of the
 * uncaught exception that is about to end a worker.
 *
 * @module
 */
import { channels, deserializeError, newWaitId, reportProgress, serializeError } from '@x/future'
import type { CallableSpec, ExecutorShutdownEvent, Future, SerializedError, WaitEndEvent, WaitStartEvent } from '@x/future'
import type { FromWorker, ResultBatch, ToWorker } from '../protocol.js'
import { detach } from './abort.js'
import { reclaim, syncClaim } from './claiming.js'
import { announce, announceHead } from './announce.js'
import type { EngineState as PoolEngine } from './engine-state.js'
import type { EngineItem, WorkerRecord } from './worker-record.js'

const NONE_FAILED: readonly number[] = []

/** Routes one message from `worker`. */
export function onMessage<H>(engine: PoolEngine<H>, worker: WorkerRecord, message: FromWorker): void {
  if (worker.life === 'gone') return
  switch (message.type) {
    case 'results':
      onResults(engine, worker, message)
      break
    case 'progress': {
      const item = worker.held.get(message.id)
      if (item !== undefined) reportProgress(item.future, message.value)
      break
    }
    case 'yield':
      worker.held.get(message.id)?.stream?.push(message.values)
      break
    case 'submit':
      onNestedSubmit(engine, worker, message.ref, message.spec, message.args, message.name, message.chunk, message.callerTaskId)
      break
    case 'started': {
      const item = worker.held.get(message.id)
      if (item !== undefined && !item.announced) announce(engine, item, worker)
      break
    }
    case 'crash':
      worker.crash = deserializeError(message.error)
      break
    case 'cancel':
      worker.nested.get(message.ref)?.cancel()
      break
    case 'shutdown':
      // shutdown() from a task: published as the task asked (wait: true from inside a task is
      // what the deadlock detector reports as shutdown-from-task); the pool does the wait: false
      // part, and the worker rejects the wait: true call itself, as Python does.
      if (channels.executorShutdown.hasSubscribers) {
        channels.executorShutdown.publish({
          executorId: engine.options.executorId,
          wait: message.wait,
          cancelFutures: message.cancelFutures,
          callerTaskId: message.callerTaskId,
        } satisfies ExecutorShutdownEvent)
      }
      engine.shutDown(message.cancelFutures)
      break
    case 'wait':
      onWait(engine, worker, message)
      break
    case 'waitEnd': {
      const waitId = worker.waits.get(message.waitId)
      if (waitId === undefined) break
      worker.waits.delete(message.waitId)
      if (channels.waitEnd.hasSubscribers) channels.waitEnd.publish({ waitId, reason: message.reason } satisfies WaitEndEvent)
      break
    }
  }
}

/** One call's result, alone (see `WorkerEvents.result`): as {@link onResults} with a batch of one. */
export function onResult<H>(engine: PoolEngine<H>, worker: WorkerRecord, id: number, value: unknown, meanMs: number): void {
  // (in few bytes of bytecode: V8 optimizes a function under 81 bytes at its first tick of calls,
  // a larger one at its third, after ~1,500 round trips of issue 13's W2)
  if (worker.life === 'gone') return
  const item = worker.held.get(id)
  if (item !== undefined) settleResult(engine, worker, item, value, meanMs)
  announceHead(engine, worker)
  engine.afterResults(worker)
}

/** {@link onResult}'s item: it leaves its worker, and its future gets the value. */
function settleResult<H>(engine: PoolEngine<H>, worker: WorkerRecord, item: EngineItem, value: unknown, meanMs: number): void {
  leaveDone(engine, worker, item)
  engine.window.learn(item.specId, meanMs)
  // (a chunk's results stay as they came, as in onResults)
  if (!item.future.done()) item.future.setResult(value)
}

/** The item's worker is done with it (its result is in). */
function leaveDone<H>(engine: PoolEngine<H>, worker: WorkerRecord, item: EngineItem): void {
  // (claims policy: work that started and ended since the pool last looked needs no
  // future:start, future:finish says it all; one event less per task matters for tiny tasks)
  if (!item.announced) announce(engine, item, worker, engine.claims.sentMeansStarted)
  worker.held.delete(item.future.id)
  worker.heldBytes -= item.heldShare
  engine.inflight--
  engine.claims.release(item)
  item.state = 'done'
  if (worker.blockedBy === item.future.id) worker.blockedBy = undefined
  detach(item)
}

function onResults<H>(engine: PoolEngine<H>, worker: WorkerRecord, batch: ResultBatch): void {
  const { ids, values } = batch
  const failed = batch.failed ?? NONE_FAILED
  let nextFailed = 0
  let lastSpec = 0
  for (let i = 0; i < ids.length; i++) {
    const ok = failed[nextFailed] !== i
    if (!ok) nextFailed++
    const item = worker.held.get(ids[i] ?? 0)
    if (item === undefined) continue
    leaveDone(engine, worker, item)
    // Learn how long this callable takes, to decide how much of it to send ahead.
    if (item.specId !== lastSpec) {
      lastSpec = item.specId
      engine.window.learn(lastSpec, batch.meanMs)
    } else engine.window.count(lastSpec)
    if (item.future.done()) continue
    const value = values[i]
    // A chunk's results stay as they came (a packed column: a Float64Array when all are
    // numbers): map() reads them by index. Unpacking here made an array per chunk that lived,
    // and was copied by every scavenge, until the consumer reached it.
    if (ok) item.future.setResult(value)
    else item.future.setException(deserializeError(value as SerializedError))
  }
  announceHead(engine, worker)
  engine.afterResults(worker)
}

function onNestedSubmit<H>(
  engine: PoolEngine<H>,
  worker: WorkerRecord,
  ref: number,
  spec: CallableSpec,
  args: unknown[],
  name: string | undefined,
  chunk: boolean,
  callerTaskId: number | undefined,
): void {
  const caller = callerTaskId === undefined ? undefined : worker.held.get(callerTaskId)
  if (caller !== undefined) {
    worker.blockedBy = caller.future.id
    syncClaim(engine, caller)
  }
  // The calling task will probably wait for it: the work sent ahead behind it goes to others.
  reclaim(engine, worker, Infinity)
  let future: Future
  try {
    engine.checkOpen()
    future = engine.submit(spec, args, chunk, name, undefined, callerTaskId)
  } catch (error) {
    reply(engine, worker, { type: 'settle', ref, outcome: 'rejected', value: serializeError(error) })
    return
  }
  engine.options.trackNested?.(future)
  worker.nested.set(ref, future)
  future.addDoneCallback((done) => {
    worker.nested.delete(ref)
    if (done.cancelled()) {
      reply(engine, worker, { type: 'settle', ref, outcome: 'cancelled', value: undefined })
      return
    }
    done.result().then(
      (value) => {
        reply(engine, worker, { type: 'settle', ref, outcome: 'fulfilled', value })
      },
      (error: unknown) => {
        reply(engine, worker, { type: 'settle', ref, outcome: 'rejected', value: serializeError(error) })
      },
    )
  })
}

function reply<H>(engine: PoolEngine<H>, worker: WorkerRecord, message: ToWorker): void {
  if (worker.life === 'gone') return
  try {
    engine.transport.send(worker.handle as H, message)
  } catch (error) {
    if (message.type === 'settle') engine.transport.send(worker.handle as H, { type: 'settle', ref: message.ref, outcome: 'rejected', value: serializeError(error) })
  }
}

function onWait<H>(engine: PoolEngine<H>, worker: WorkerRecord, message: Extract<FromWorker, { type: 'wait' }>): void {
  // The waiting task holds its worker (it started): the work sent ahead behind it goes to others.
  const waiting = message.taskId === undefined ? undefined : worker.held.get(message.taskId)
  if (waiting !== undefined) syncClaim(engine, waiting)
  reclaim(engine, worker, Infinity)
  if (!channels.waitStart.hasSubscribers) return
  const futureIds: number[] = []
  for (const ref of message.refs) {
    const future = worker.nested.get(ref)
    if (future !== undefined && !future.done()) futureIds.push(future.id)
  }
  if (futureIds.length === 0) return
  const waitId = newWaitId()
  worker.waits.set(message.waitId, waitId)
  channels.waitStart.publish({
    waitId,
    taskId: message.taskId,
    futureIds,
    mode: message.mode,
    timeout: message.timeout,
    stack: message.stack,
    reject: (error: Error) => {
      if (worker.life === 'gone') return
      engine.transport.send(worker.handle as H, { type: 'rejectWait', waitId: message.waitId, error: serializeError(error) })
    },
  } satisfies WaitStartEvent)
}
