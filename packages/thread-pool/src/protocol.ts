/**
 * What the pool and a new worker thread say before the shared protocol (`@x/pool-kit`'s
 * `ToWorker`/`FromWorker`) takes over: the session a thread is started with (in its
 * `workerData`), and its answer on its `parentPort` once its initializer ran. Internal.
 *
 * @internal
 * @module
 */
import type { MessagePort } from 'node:worker_threads'
import type { CallableSpec, SerializedError } from '@x/future'

/** What sets a thread up: from then on it serves `port`. */
export interface SessionStart {
  /** The pool's end of the thread's channel is the other one. */
  readonly port: MessagePort
  /** The pool's label (for nested executors). */
  readonly label: string
  readonly maxWorkers: number
  /** Whether someone listens to wait events. */
  readonly diag: boolean
  /** The pool's claim words (`ClaimWords.buffer`) and their start times (`startsBuffer`). */
  readonly claims: SharedArrayBuffer
  readonly starts: SharedArrayBuffer
  readonly initializer: { readonly spec: CallableSpec; readonly args: unknown[] } | undefined
}

/** The tag of {@link SessionReady}. */
export const SESSION_READY = '@x/thread-pool:ready'

/** The thread is up: its initializer ran, or threw `initError`. */
export interface SessionReady {
  readonly type: typeof SESSION_READY
  readonly initError?: SerializedError
}

/** Whether a message on a thread's `parentPort` is its {@link SessionReady}. */
export function isSessionReady(message: unknown): message is SessionReady {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === SESSION_READY
}

/** The tag of {@link CodeCacheOffer}. */
export const CODE_CACHE = '@x/thread-pool:code-cache'

/**
 * V8's code cache of the thread's bundled worker, sent on its `parentPort` just before its first
 * result when it started without a cache it could use (thread-entry.cts): later threads get it.
 */
export interface CodeCacheOffer {
  readonly type: typeof CODE_CACHE
  readonly codeCache: Uint8Array
}

/** Whether a message on a thread's `parentPort` is its {@link CodeCacheOffer}. */
export function isCodeCacheOffer(message: unknown): message is CodeCacheOffer {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === CODE_CACHE
}

/** A pool thread's `workerData`. */
export interface ThreadData {
  /** `threadName()` in that thread: `<threadNamePrefix>_<n>`. */
  readonly threadName: string
  readonly session: SessionStart
  /**
   * Where the packages the bundled worker links (`scripts/bundle.mjs --link`) are, resolved by
   * the pool: `{ '@x/future/runtime': 'file:///…' }`. The thread's entry (thread-entry.cts) then
   * imports them by URL and skips resolving their specifiers itself.
   */
  readonly links?: Readonly<Record<string, string>>
  /** The code cache a thread of this process made ({@link CodeCacheOffer}), for thread-entry.cts. */
  readonly codeCache?: Uint8Array
  /**
   * The thread's load guard (load-guard.ts): with it, thread-entry.cts loads `@x/future/runtime`
   * and task modules with `require()`; without it (a pool off the main thread), with `import()`.
   */
  readonly loadGuard?: SharedArrayBuffer
  /**
   * Without a cache: one word, shared by the threads of this process, that the thread which makes
   * the cache claims first (0 -> 1): threads started together make it once, not once each.
   */
  readonly cacheClaim?: Int32Array
}
