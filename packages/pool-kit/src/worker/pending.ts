/**
 * A task as the worker's runtime queues it: one call of a `run` batch, read out of the batch's
 * columns (runtime.ts runs them in order).
 *
 * @module
 */
import type { FifoQueue } from '../queue.js'
import type { RunBatch } from '../protocol.js'

/** One task waiting to run in this worker. */
export interface Pending {
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

/** Queues the calls of `batch` in `queue`, in the batch's order (its callables are defined apart). */
export function queueBatch(queue: FifoQueue<Pending>, batch: RunBatch): void {
  const { ids, specIds, args, names, chunks, slots, tickets, streams } = batch
  for (let i = 0; i < ids.length; i++) {
    queue.push({
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
