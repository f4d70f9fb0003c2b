/**
 * The executor's side of progress and streams: what a running job sends before its result
 * (`progress` and `yield` envelopes, read from the result list in order with the rest), and the
 * credit a stream's consumer gives back to the worker as it takes values.
 *
 * @module
 */
import { reportProgress } from '@x/future'
import type { StreamSink } from '@x/pool-kit'
import type { Item } from './item.js'
import { keys } from './protocol.js'
import type { Envelope } from './protocol.js'

/** An envelope a running job sends before its result. */
export type PartialEnvelope = Extract<Envelope, { t: 'progress' } | { t: 'yield' }>

/** Whether `envelope` is a progress report or a stream's values (the job goes on). */
export function isPartial(envelope: Envelope): envelope is PartialEnvelope {
  return envelope.t === 'progress' || envelope.t === 'yield'
}

/**
 * Hands a progress report to the future's listeners (coalesced by the future, never after it is
 * done), or a stream's values to its consumer. `item` is undefined for a job already settled.
 */
export function deliverPartial(item: Item | undefined, envelope: PartialEnvelope): void {
  if (item === undefined || item.future.done()) return
  if (envelope.t === 'progress') reportProgress(item.future, envelope.value)
  else item.stream?.sink.push(envelope.values)
}

/** Publishes a message on a channel through the executor's connection. */
export type Publish = (channel: string, message: string) => void

/**
 * Makes `item` a stream call: the values of its job go to `sink`, and each value its consumer takes
 * is credited to the worker running it. The executor repeats the credit every `checkInterval`,
 * which tells the worker that the consumer is still there.
 */
export function attachStream(item: Item, sink: StreamSink, queue: string, publish: Publish, checkInterval: number): void {
  const stream = { sink, taken: 0, checkInterval }
  item.stream = stream
  sink.connect((count) => {
    stream.taken += count
    sendCredit(item, queue, publish)
  })
}

/**
 * Tells the worker running `item`'s stream how many values its consumer took in all (a running
 * total: sending it again is harmless, makes good a message lost while a connection was down, and
 * tells the worker the consumer is alive).
 */
export function sendCredit(item: Item, queue: string, publish: Publish): void {
  const stream = item.stream
  if (stream === undefined || item.workerId === undefined) return
  publish(keys(queue).creditChannel(item.workerId), JSON.stringify({ jobId: item.jobId, taken: stream.taken }))
}
