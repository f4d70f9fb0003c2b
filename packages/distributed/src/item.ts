import { channels } from '@x/future'
import type { Future } from '@x/future'
import type { StreamSink } from '@x/pool-kit'
import type { WireCallable } from './protocol.js'
import type { JobData, WirePayload } from './job-data.js'

/** One submitted call as the executor tracks it: PENDING here, then handed over to BullMQ. */
export interface Item {
  readonly future: Future
  readonly fn: WireCallable
  readonly data: WirePayload
  jobId: string
  /** retries used (runs after a lost worker) */
  attempt: number
  /** jobs sent for it so far, minus one (retries) */
  sends: number
  /** set once the future left the PENDING queue (handed over, or cancelled) */
  left: boolean
  /** the worker that started its job, once known (its start envelope, or its start marker read by the lost check), or that fetched it (`fetched`) */
  workerId: string | undefined
  /** `workerId` is the worker BullMQ handed the job to (the job's `processedBy`); it may have started the task, no start is reported yet */
  fetched: boolean
  /** its future has a `submitWith({ signal })` signal (a stream's always has one): the worker must be able to abort its job */
  readonly abortable: boolean
  /** when BullMQ accepted the job (performance.now()); undefined until then */
  addedAt: number | undefined
  /** BullMQ no longer had it, or it was orphaned, at the last check: confirmed at the next */
  suspect: boolean
  /** a `stream()` call: where its values go, and how many its consumer took (credited to the worker) */
  stream?: { readonly sink: StreamSink; taken: number; readonly checkInterval: number } | undefined
}

/** A fresh item for `future`, not yet handed over. */
export function newItem(future: Future, fn: WireCallable, data: WirePayload, jobId: string, abortable: boolean): Item {
  return { future, fn, data, jobId, abortable, attempt: 0, sends: 0, left: false, workerId: undefined, fetched: false, addedAt: undefined, suspect: false }
}

/**
 * The BullMQ jobs for a batch of items. Each replies to its executor's result list, which the
 * worker makes from the queue and the job id (see job-data.ts): it is not written. A call's job
 * starts quietly (no start envelope: one Redis write and one wake-up of the executor less per job)
 * unless someone listens to `future:start` (then `l`); a stream's job always announces its start
 * (its consumer's credit goes to the worker running it). Only a call with a signal is marked
 * abortable (`a`): for the others the worker makes no AbortController. (Undefined fields are left
 * out of BullMQ's JSON.)
 */
export function toJobs(items: readonly Item[]) {
  const quiet = !channels.futureStart.hasSubscribers
  return items.map((item) => ({
    name: item.fn.name,
    data: (item.stream === undefined
      ? { d: item.data, l: quiet ? undefined : 1, a: item.abortable ? 1 : undefined }
      : { d: item.data, s: item.stream.sink.highWaterMark, c: item.stream.checkInterval, l: 1, a: 1 }) satisfies JobData,
    opts: { jobId: item.jobId, removeOnComplete: true, removeOnFail: true, attempts: 1 },
  }))
}
