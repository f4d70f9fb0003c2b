/**
 * Sending a worker a `run` message; when something in it cannot be copied, sending its calls one
 * by one to find which, and failing those with an error that names the argument.
 *
 * @module
 */
import { serialize } from 'node:v8'
import type { Transferable } from 'node:worker_threads'
import { labelledArguments } from '../chunk-codec.js'
import type { PackedTuples } from '../chunk-codec.js'
import type { ToWorker } from '../protocol.js'
import { detach, sendAbort } from './abort.js'
import { announceHead } from './announce.js'
import type { EngineState as PoolEngine } from './engine-state.js'
import { addSpec, newSend } from './run-batch.js'
import type { Send } from './run-batch.js'
import type { EngineItem, WorkerRecord } from './worker-record.js'

export function sendRun<H>(
  engine: PoolEngine<H>,
  worker: WorkerRecord,
  batch: Send['batch'],
  items: EngineItem[],
  transfer: readonly Transferable[] | undefined,
  diag: boolean,
  large = false,
): void {
  const handle = worker.handle as H
  try {
    const message: ToWorker = diag ? { type: 'run', batch, diag: true } : { type: 'run', batch }
    // (the flag only on the rare large call: the common message keeps its one shape)
    engine.transport.send(handle, large ? { ...message, large: true } : message, transfer)
    // A task queued again after its worker died may have been aborted there already.
    // eslint-disable-next-line @typescript-eslint/prefer-for-of -- indexed: the dispatcher's path (run-batch.ts)
    for (let i = 0; i < items.length; i++) {
      const item = items[i]
      if (item?.signal?.aborted === true) sendAbort(engine, worker, item)
    }
    return
  } catch {
    // Something in the batch cannot be copied: send the items one by one to find it.
  }
  const specs = new Map((batch.specs ?? []).map(({ specId, spec }) => [specId, spec]))
  for (const item of items) {
    const one = newSend(engine, item, false).batch
    if (specs.has(item.specId)) addSpec(one, item)
    try {
      engine.transport.send(handle, diag ? { type: 'run', batch: one, diag: true } : { type: 'run', batch: one }, item.transfer)
      specs.delete(item.specId)
      if (item.signal?.aborted === true) sendAbort(engine, worker, item)
    } catch (error) {
      worker.held.delete(item.future.id)
      worker.heldBytes -= item.heldShare
      worker.assigned-- // it never reached the worker: it does not count toward maxTasksPerWorker
      engine.inflight--
      engine.claims.release(item)
      item.state = 'done'
      // (named from the arguments, before detach() drops them)
      const failure = argumentError(engine, item, error)
      detach(item)
      if (!item.future.running()) item.future.setRunningOrNotifyCancel()
      item.future.setException(failure)
    }
  }
  // callables whose every task failed to go were never sent
  for (const specId of specs.keys()) worker.sentSpecs.delete(specId)
  announceHead(engine, worker)
  engine.afterResults(worker)
}

function argumentError<H>(engine: PoolEngine<H>, item: EngineItem, error: unknown): Error {
  const args = item.chunk
    ? labelledArguments(item.args as unknown as PackedTuples)
    : item.args.map((value, i) => [value, `argument ${String(i + 1)}`] as const)
  let where = 'an argument'
  for (const [value, label] of args) {
    try {
      serialize(value)
    } catch {
      where = label
      break
    }
  }
  const message = (error instanceof Error ? error.message : String(error)).replace(/\.$/, '')
  return engine.errors.unsendable(
    `${where} of "${item.future.name ?? item.spec.name}" cannot be sent to a ${engine.errors.workerNoun}: ${message}.`,
    error,
  )
}
