/**
 * The messages a dispatcher run builds: a `run` batch per message, its calls by column, the
 * callables it names first, the buffers it moves (dispatch.ts fills them, send-run.ts sends them).
 *
 * @module
 */
import type { Transferable } from 'node:worker_threads'
import type { RunBatch } from '../protocol.js'
import type { EngineState as PoolEngine } from './engine-state.js'
import type { EngineItem, WorkerRecord } from './worker-record.js'

interface SpecEntry {
  specId: number
  spec: EngineItem['spec']
}

export interface Send {
  readonly batch: RunBatch & { specs?: SpecEntry[]; chunks?: boolean[]; slots: number[] | undefined; tickets: number[] | undefined; streams?: number[] }
  readonly items: EngineItem[]
  transfer: Transferable[] | undefined
  /** It carries one call with large arguments, alone. */
  readonly large: boolean
}

/** A worker's messages of one dispatcher run, in order. */
export interface Outbox {
  readonly worker: WorkerRecord
  readonly messages: Send[]
}

/**
 * A message holding `item`. Its columns start as one-element literals: an array grown by `push`
 * from empty reserves 17 slots, six times over for a message of one call.
 */
export function newSend<H>(engine: PoolEngine<H>, item: EngineItem, large: boolean): Send {
  const claims = !engine.claims.sentMeansStarted
  const batch: Send['batch'] = {
    ids: [item.future.id],
    specIds: [item.specId],
    args: [item.args],
    names: [item.future.name],
    slots: claims ? [item.slot] : undefined,
    tickets: claims ? [item.ticket] : undefined,
  }
  // the chunks and streams columns exist only in a batch that holds a chunk or a stream task
  if (item.chunk) batch.chunks = [true]
  if (item.stream !== undefined) batch.streams = [item.stream.highWaterMark]
  return { batch, items: [item], transfer: item.transfer === undefined ? undefined : item.transfer.slice(), large }
}

// (the loops of the dispatcher's path are indexed: for-of runs the iterator protocol in V8's
// unoptimized tiers, where a burst's first hundreds of calls run, W6)
export function outboxOf(sends: Outbox[] | undefined, worker: WorkerRecord): Outbox | undefined {
  if (sends === undefined) return undefined
  // eslint-disable-next-line @typescript-eslint/prefer-for-of -- indexed, as above
  for (let i = 0; i < sends.length; i++) if (sends[i]?.worker === worker) return sends[i]
  return undefined
}

/** Adds `moved` (a call's transfer list) to `list`. */
export function addMoved(list: Transferable[], moved: readonly Transferable[]): void {
  // eslint-disable-next-line @typescript-eslint/prefer-for-of -- indexed, as above
  for (let i = 0; i < moved.length; i++) {
    const buffer = moved[i]
    if (buffer !== undefined) list.push(buffer)
  }
}

/**
 * A later message of the same pump names the callables an earlier one was to carry but could not
 * (its every call of them failed to go: sendRun forgets them).
 */
export function ensureSpecs(worker: WorkerRecord, { batch, items }: Send): void {
  // eslint-disable-next-line @typescript-eslint/prefer-for-of -- indexed, as above
  for (let i = 0; i < items.length; i++) {
    const item = items[i]
    if (item === undefined) break
    if (worker.sentSpecs.has(item.specId)) continue
    worker.sentSpecs.add(item.specId)
    addSpec(batch, item)
  }
}

export function addSpec(batch: Send['batch'], item: EngineItem): void {
  ;(batch.specs ??= []).push({ specId: item.specId, spec: item.spec })
}

export function addToBatch(batch: Send['batch'], item: EngineItem): void {
  const index = batch.ids.length
  batch.slots?.push(item.slot)
  batch.tickets?.push(item.ticket)
  batch.ids.push(item.future.id)
  batch.specIds.push(item.specId)
  batch.args.push(item.args)
  batch.names.push(item.future.name)
  // the chunks and streams columns exist only in a batch that holds a chunk or a stream task
  if (item.chunk) (batch.chunks ??= new Array<boolean>(index).fill(false)).push(true)
  else batch.chunks?.push(false)
  if (item.stream !== undefined) (batch.streams ??= new Array<number>(index).fill(0)).push(item.stream.highWaterMark)
  else batch.streams?.push(0)
}
