/**
 * What travels through Redis between a `DistributedExecutor` and the workers: the key names, the
 * job payload and the result envelopes. Payloads and envelopes are v8-serialized (BigInt, Map,
 * Set, Date, typed arrays survive), or JSON when that carries them exactly (arguments and results
 * that are strings, finite numbers, booleans, null). How a job's payload sits in BullMQ's job data is
 * job-data.ts's.
 *
 * @module
 */
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { deserialize, serialize } from 'node:v8'
import { deserializeError, serializeError } from '@x/future'
import type { CallableSpec, SerializedError } from '@x/future'
import { OutsideRootError } from './errors.js'

/** The Redis keys of one queue (BullMQ's own live under `bull:<queue>:`). */
export function keys(queue: string) {
  const base = `x:${queue}`
  return {
    /** Set of the ids of the workers that registered. */
    workers: `${base}:workers`,
    /** A worker's heartbeat: its {@link WorkerInfo}, expiring unless refreshed. */
    worker: (id: string) => `${base}:worker:${id}`,
    /** What the keys of one job start with (the worker's scripts make `ran:` and `abort:` keys from it and the job id). */
    jobPrefix: `${base}:`,
    /** Marks a job as started, so no second delivery runs it again. */
    ran: (jobId: string) => `${base}:ran:${jobId}`,
    /** An abort requested before the job started. */
    abort: (jobId: string) => `${base}:abort:${jobId}`,
    /** Pub/sub: `{ jobId, reason }` aborts of running jobs. */
    abortChannel: `${base}:abort`,
    /** Pub/sub, per worker: `lend` / `return` a slot while a task waits on nested work. */
    lendChannel: (workerId: string) => `${base}:lend:${workerId}`,
    /** Pub/sub, per worker: `{ jobId, taken }` values of its running streams taken by their consumers. */
    creditChannel: (workerId: string) => `${base}:credit:${workerId}`,
    /** The list an executor reads its start and result envelopes from. */
    results: (executorId: string) => `${base}:results:${executorId}`,
  }
}

/** What a worker registers with its heartbeat. */
export interface WorkerInfo {
  readonly id: string
  /** Jobs it runs at once (its BullMQ concurrency without lent slots). */
  readonly capacity: number
  /** Milliseconds its heartbeat key lives without a refresh. */
  readonly ttl: number
  readonly host: string
  readonly pid: number
}

/** A callable as it travels: a module path relative to the root, or function source. */
export type WireCallable =
  | { readonly kind: 'task'; readonly path: string; readonly exportName: string; readonly name: string }
  | { readonly kind: 'source'; readonly source: string; readonly name: string }

/** One job: a call, or a chunk of calls of `map()`. */
export interface JobPayload {
  readonly fn: WireCallable
  /** The call's arguments, or (chunk) one argument list per call. */
  readonly args: readonly unknown[]
  readonly chunk: boolean
  /** The future's id in the submitting process (`currentTask().id` in the worker). */
  readonly futureId: number
  readonly name: string | undefined
  // (the list the worker pushes the job's envelopes to is not in it: see resultKeyOf in job-data.ts)
}

/** What a worker pushes to the executor's result list. */
export type Envelope =
  | { readonly t: 'start'; readonly jobId: string; readonly workerId: string }
  | { readonly t: 'ok'; readonly jobId: string; readonly value: unknown }
  | { readonly t: 'error'; readonly jobId: string; readonly error: SerializedError }
  /** the latest progress report of the running task (coalesced by the worker) */
  | { readonly t: 'progress'; readonly jobId: string; readonly value: unknown }
  /** values a `stream()` job's generator yielded, in order */
  | { readonly t: 'yield'; readonly jobId: string; readonly values: readonly unknown[] }
  /** the worker stopped before the task finished and handed the job back */
  | { readonly t: 'lost'; readonly jobId: string; readonly workerId: string; readonly message: string }

/** How long a result list lives when its executor stops reading it (milliseconds). */
export const RESULT_TTL_MS = 24 * 60 * 60 * 1000
/** How long a started-job marker lives (milliseconds): longer than any retry of that job id. */
export const RAN_TTL_MS = 24 * 60 * 60 * 1000

/**
 * Whether JSON carries `value` exactly (the same type and value after a round trip, as v8
 * serialization would): null, booleans, strings, and finite numbers other than -0.
 */
export function jsonExact(value: unknown): boolean {
  const type = typeof value
  if (type === 'string' || type === 'boolean' || value === null) return true
  return type === 'number' && Number.isFinite(value) && !Object.is(value, -0)
}

/** Whether every element of `values` is {@link jsonExact} (a hole, read as undefined, is not). */
export function allJsonExact(values: readonly unknown[]): boolean {
  for (const value of values) if (!jsonExact(value)) return false
  return true
}

/**
 * An abort of a running job, for the abort key and channel. The reason travels as our error
 * envelope (an `AbortError`'s name, a `code`, a `cause` survive, which v8 serialization drops);
 * a reason that cannot be copied at all goes as its string form.
 */
export function encodeAbort(jobId: string, reason: unknown): Buffer {
  try {
    return serialize({ jobId, reason: serializeError(reason) })
  } catch {
    return serialize({ jobId, reason: serializeError(String(reason)) })
  }
}

/** Decodes an abort made by {@link encodeAbort}. */
export function decodeAbort(data: Buffer): { jobId: string; reason: unknown } {
  const { jobId, reason } = deserialize(data) as { jobId: string; reason: SerializedError }
  return { jobId, reason: deserializeError(reason) }
}

/**
 * Encodes an envelope for the result list: a result or progress report whose value is
 * {@link jsonExact} or `undefined` (left out) as JSON, any other v8-serialized (which starts with
 * the version byte 0xFF, never `{`).
 */
export function encodeEnvelope(envelope: Envelope): Buffer {
  if ((envelope.t === 'ok' || envelope.t === 'progress') && (envelope.value === undefined || jsonExact(envelope.value))) {
    return Buffer.from(JSON.stringify(envelope))
  }
  return serialize(envelope)
}

/** Decodes an envelope read from the result list (either form of {@link encodeEnvelope}). */
export function decodeEnvelope(data: Buffer): Envelope {
  return (data[0] === 0x7b ? JSON.parse(data.toString()) : deserialize(data)) as Envelope
}

/** The folder a `root` option names, as an absolute path. */
export function rootPath(root: string | URL): string {
  if (root instanceof URL || /^file:/i.test(root)) return resolve(fileURLToPath(root))
  if (!isAbsolute(root)) {
    throw new TypeError(`root must be an absolute path or a file: URL (new URL('.', import.meta.url)), got "${root}"`)
  }
  return resolve(root)
}

/** Submitter side: a callable spec as it travels, its module made relative to `root`. */
export function toWire(spec: CallableSpec, root: string): WireCallable {
  if (spec.kind === 'source') return spec
  let file: string
  try {
    file = fileURLToPath(spec.module)
  } catch {
    throw new OutsideRootError(
      `task module ${spec.module} is not a file: workers import task modules from their own root (${root}); ` +
        `put the module under it and make the handle with task(new URL('./tasks.js', import.meta.url), '${spec.exportName}')`,
    )
  }
  const path = relative(root, file)
  if (path === '' || path.startsWith(`..${sep}`) || path === '..' || isAbsolute(path)) {
    throw new OutsideRootError(
      `task module ${file} is outside the executor's root ${root}: workers import modules relative to their ` +
        `own root only. Move the module under the root, or give the executor (and the workers) a root that contains it.`,
    )
  }
  return { kind: 'task', path: path.split(sep).join('/'), exportName: spec.exportName, name: spec.name }
}

/** Worker side: the spec to load for a wire callable, refusing paths that escape `root`. */
export function fromWire(fn: WireCallable, root: string): CallableSpec {
  if (fn.kind === 'source') return fn
  const file = resolve(root, ...fn.path.split('/'))
  const inside = relative(root, file)
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside) || isAbsolute(fn.path)) {
    throw new OutsideRootError(`task module "${fn.path}" resolves outside this worker's root ${root}; it was refused`)
  }
  return { kind: 'task', module: pathToFileURL(file).href, exportName: fn.exportName, name: fn.name }
}
