/**
 * The wire protocol between the pool (the coordinator thread) and its workers, and the layout
 * of the shared state words. Internal: nothing here is exported from the package entry.
 *
 * Every task handed to a worker owns one Int32 word of a `SharedArrayBuffer` (its "slot"). The
 * word holds `generation << 3 | state`. The worker claims a task with
 * `Atomics.compareExchange(word, QUEUED, STARTED)` just before it runs it; `cancel()` on the
 * coordinator claims it with `compareExchange(word, QUEUED, CANCELLED)`. Whoever gets there first
 * wins, so a task handed to a worker but not started is still PENDING and still cancellable, and
 * a cancelled one never runs. The generation makes a reused slot distinct from its earlier use.
 *
 * @internal
 * @module
 */
import type { MessagePort } from 'node:worker_threads'
import type { CallableSpec, SerializedError } from '@x/future'

/** The task was handed to a worker and has not started. */
export const QUEUED = 1
/** The worker claimed the task and runs (or ran) it. */
export const STARTED = 2
/** `cancel()` claimed the task first: the worker skips it. */
export const CANCELLED = 3
/** The coordinator took the task back (to give it to another worker): the worker skips it. */
export const RECLAIMED = 4
/** Bits of a word that hold the state; the rest is the generation. */
export const STATE_MASK = 7

/** What the coordinator gives a worker thread when it starts a session on it (a tinypool task). */
export interface SessionInit {
  readonly port: MessagePort
  readonly poolLabel: string
  readonly states: SharedArrayBuffer
  /**
   * One Float64 per slot: the worker writes when it claimed the task (`performance.timeOrigin +
   * performance.now()`, so any thread can convert it to its own clock), for `stats()`.
   */
  readonly starts: SharedArrayBuffer
  readonly initializer: CallableSpec | undefined
  readonly initargs: readonly unknown[]
  readonly diagnostics: boolean
  readonly maxWorkers: number
}

/** Data the pool passes to every thread through tinypool's `workerData`. */
export interface ThreadData {
  readonly threadNamePrefix: string
}

/**
 * One task on its way to a worker, as a tuple (cheaper to clone than an object):
 * `[futureId, slot, queuedWord, specId, args, flags, name]`. `futureId` is the task id inside
 * the worker; `queuedWord` is what the slot holds while QUEUED; `specId` names a callable sent
 * earlier in the same session (see {@link DownMessage}); for a chunk, `args` is the list of
 * argument tuples.
 */
export type TaskMessage = readonly [number, number, number, number, readonly unknown[], number, string | undefined]

/** {@link TaskMessage} flags: the task is a `map` chunk. */
export const CHUNK = 1
/** {@link TaskMessage} flags: a chunk of one-argument calls, sent as the flat list of arguments. */
export const FLAT = 4
/** {@link TaskMessage} flags: the task has a signal, give it an abortable `currentTask().signal`. */
export const ABORTABLE = 2

/** Coordinator → worker. */
export type DownMessage =
  | readonly ['run', readonly TaskMessage[], boolean, readonly (readonly [number, CallableSpec])[]]
  | readonly ['abort', number, SerializedError]
  | readonly ['settled', number, 'ok' | 'error' | 'cancelled', unknown]
  | readonly ['rejectWait', number, SerializedError]
  | readonly ['release']

/** Worker → coordinator. */
export type UpMessage =
  | readonly ['hello', number]
  | readonly ['started', number]
  | readonly ['result', number, true, unknown]
  | readonly ['result', number, false, SerializedError]
  | readonly ['initFailed', SerializedError]
  | readonly ['submit', number, CallableSpec, readonly unknown[], string | undefined, number | undefined, boolean]
  | readonly ['cancel', number]
  | readonly ['shutdown', boolean, boolean, number | undefined]
  | readonly ['waitStart', number, number | undefined, readonly number[], 'all' | 'any', number | undefined, string]
  | readonly ['waitEnd', number, 'settled' | 'timeout' | 'rejected']
