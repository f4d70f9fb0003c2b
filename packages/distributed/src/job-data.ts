/**
 * The compact form of a job as BullMQ stores it (BullMQ's add and completion scripts handle every
 * byte of a job's data, several times per job: each one costs Redis time), and the reading of
 * both forms: a worker of this version also runs the jobs of an executor of the previous one.
 *
 * This version's `job.data` is `{ d, s?, c?, l?, a? }`: `d` the payload in its compact form
 * ({@link CompactPayload}); the result list left out (the worker makes it from the queue and the
 * job id, which starts with the executor's id: {@link resultKeyOf}); the flags written only when
 * not the default (a quiet start and no abort are the default, as most jobs are). The previous
 * version's is `{ p, r, s?, c?, q?, n? }` (see {@link JobData}).
 *
 * @internal
 * @module
 */
import { keys } from './protocol.js'
import type { JobData, JobPayload, WireCallable } from './protocol.js'

/** How many characters of a job id are its executor's id (the executor's `#uid`). */
export const EXECUTOR_ID_LENGTH = 16

/**
 * A payload with short keys and its defaults left out: `m` (a task's module path) and `e` (its
 * export) or `s` (function source); `n` the callable's name unless it is the export's; `a` the
 * arguments; `c: 1` a chunk of `map()` calls; `i` the future's id; `N` the future's name unless
 * it is the callable's (`U: 1`: it has none though the callable has one).
 */
export interface CompactPayload {
  readonly m?: string
  readonly e?: string
  readonly s?: string
  readonly n?: string
  readonly a: readonly unknown[]
  readonly c?: 1
  readonly i: number
  readonly N?: string
  readonly U?: 1
}

/** The compact form of `payload` (undefined fields are left out by JSON and by v8 serialization alike: not written at all). */
export function compactPayload(payload: JobPayload): CompactPayload {
  const fn = payload.fn
  const out: { -readonly [K in keyof CompactPayload]: CompactPayload[K] } = { a: payload.args, i: payload.futureId }
  if (fn.kind === 'task') {
    out.m = fn.path
    out.e = fn.exportName
    if (fn.name !== fn.exportName) out.n = fn.name
  } else {
    out.s = fn.source
    out.n = fn.name
  }
  if (payload.chunk) out.c = 1
  if (payload.name !== fn.name) {
    if (payload.name === undefined) out.U = 1
    else out.N = payload.name
  }
  return out
}

/** The payload a decoded object stands for: the previous version's full form (it has `fn`) or the compact one. */
export function expandPayload(decoded: JobPayload | CompactPayload): JobPayload {
  if ('fn' in decoded) return decoded
  const fn: WireCallable =
    decoded.s !== undefined
      ? { kind: 'source', source: decoded.s, name: decoded.n ?? '' }
      : { kind: 'task', path: decoded.m ?? '', exportName: decoded.e ?? '', name: decoded.n ?? decoded.e ?? '' }
  return { fn, args: decoded.a, chunk: decoded.c === 1, futureId: decoded.i, name: decoded.U === 1 ? undefined : (decoded.N ?? fn.name) }
}

/** The result list of the executor that sent the job `jobId` on `queue` (its id starts the job id). */
export function resultKeyOf(queue: string, jobId: string): string {
  return keys(queue).results(jobId.slice(0, EXECUTOR_ID_LENGTH))
}

/**
 * A job's payload as `job.data.d` carries it: the {@link CompactPayload} itself when JSON carries
 * it exactly (BullMQ's JSON of the job data holds it as it is: not a string of JSON inside JSON,
 * whose every quote is escaped), else v8-serialized in base64 (see `encodePayload`). The previous
 * version's `job.data.p` is a string: JSON or base64 of the full form.
 */
export type WirePayload = string | CompactPayload

/** What a worker reads from a job's data, in either version's form. */
export interface ReadJob {
  /** the payload, for `decodePayload` */
  readonly payload: WirePayload
  /** the executor's result list */
  readonly reply: string
  /** no start envelope */
  readonly quiet: boolean
  /** the worker must be able to abort it */
  readonly abortable: boolean
}

/** Reads `data`, the data of the job `jobId` on `queue`, in this version's form or the previous one's. */
export function readJobData(data: JobData, jobId: string, queue: string): ReadJob {
  if (data.d !== undefined) {
    return { payload: data.d, reply: data.r ?? resultKeyOf(queue, jobId), quiet: data.l !== 1, abortable: data.a === 1 }
  }
  return { payload: data.p ?? '', reply: data.r ?? resultKeyOf(queue, jobId), quiet: data.q === 1, abortable: data.n !== 1 }
}
