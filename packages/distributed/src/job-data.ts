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
import { deserialize, serialize } from 'node:v8'
import { allJsonExact, keys } from './protocol.js'
import type { JobPayload, WireCallable } from './protocol.js'

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

/**
 * BullMQ's `job.data` of one of our jobs: this version writes `d` and, when not the default, `s`,
 * `c`, `l`, `a` (see job-data.ts); the previous version wrote `p`, `r` and `q`, `n`. A worker reads both.
 */
export interface JobData {
  /** the payload in its compact form ({@link encodePayload}) */
  readonly d?: WirePayload | undefined
  /** previous version: the payload in its full form */
  readonly p?: string | undefined
  /** previous version: the executor's result list (now made from the queue and the job id) */
  readonly r?: string | undefined
  /** a `stream()` job: its consumer's highWaterMark */
  readonly s?: number | undefined
  /** a `stream()` job: its executor's check interval (ms) */
  readonly c?: number | undefined
  /**
   * 1 (with `d`): the worker pushes a start envelope (streams, future:start listeners). Absent:
   * quiet start, no start envelope (the executor learns who started the job from its start marker).
   */
  readonly l?: 1 | undefined
  /**
   * 1 (with `d`): its future has a signal: the worker makes an AbortController for the job, which
   * an abort (key or channel) aborts. Absent: nothing will abort the job (the worker makes no
   * AbortController for it, and neither reads nor drops an abort key).
   */
  readonly a?: 1 | undefined
  /** previous version: 1 for a quiet start (the opposite of `l`) */
  readonly q?: 1 | undefined
  /** previous version: 1 for a job nothing will abort (the opposite of `a`) */
  readonly n?: 1 | undefined
}

/**
 * Encodes a payload for `job.data.d` in its compact form: the object itself, which BullMQ's JSON of
 * the job data carries, when its arguments are all `jsonExact` (protocol.ts; most tiny calls:
 * several times cheaper to make and read than v8 serialization, whose every call makes a
 * serializer), else v8-serialized in base64 (a string), so {@link decodePayload} tells them apart.
 */
export function encodePayload(payload: JobPayload): WirePayload {
  const exact = payload.chunk
    ? payload.args.every((tuple) => Array.isArray(tuple) && allJsonExact(tuple))
    : allJsonExact(payload.args)
  const compact = compactPayload(payload)
  return exact ? compact : serialize(compact).toString('base64')
}

/**
 * Decodes `job.data.d` (either form of {@link encodePayload}), or the previous version's `job.data.p`.
 * @throws {TypeError} a job whose data has neither (not added by a `DistributedExecutor`).
 */
export function decodePayload(data: WirePayload): JobPayload {
  if (typeof data !== 'string') return expandPayload(data)
  if (data === '') {
    throw new TypeError(
      'this job carries no payload (its data has neither `d` nor `p`): jobs on a queue that x-worker or serve() serves must be added by a DistributedExecutor',
    )
  }
  return expandPayload((data.charCodeAt(0) === 0x7b ? JSON.parse(data) : deserialize(Buffer.from(data, 'base64'))) as JobPayload | CompactPayload)
}
