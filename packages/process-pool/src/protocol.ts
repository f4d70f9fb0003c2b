/**
 * What the tinypool `session` task exchanges with a child as it starts (internal); everything
 * after that is `@x/pool-kit`'s protocol (`ToWorker` / `FromWorker`).
 *
 * @internal
 * @module
 */
import type { CallableSpec, SerializedError } from '@x/future'
import type { ToWorker } from '@x/pool-kit'

/** What the tinypool `session` task receives when a child starts. */
export interface SessionStart {
  readonly label: string
  readonly maxWorkers: number
  readonly workerId: number
  readonly diag: boolean
  readonly initializer: { readonly spec: CallableSpec; readonly args: unknown[] } | undefined
  /** The start marker file (start-marker.ts). */
  readonly marker: string
  /**
   * What the pool sent the child before the session (its first task, usually): the session
   * carries it, as the child may not listen yet (tinypool-processes.ts).
   */
  readonly early: readonly ToWorker[]
  /**
   * The bundled child's file, `dist/bundle/child.cjs` (child-entry.ts compiles it): the parent
   * names it, so the entry reads no `import.meta` (its first read in a child costs ~0.6M
   * instructions, callgrind).
   */
  readonly bundle: string
  /** V8's code cache of the bundled child that a child of this process made (child-entry.ts). */
  readonly codeCache?: Uint8Array
  /** Whether this child makes that cache, when it starts without one it can use (child.ts). */
  readonly makeCodeCache?: boolean
}

/** The tag of {@link SessionReady}. */
export const SESSION_READY = '@x/process-pool:session-ready'

/**
 * What a child sends once its session ran the initializer (or the initializer failed). It is a
 * message on the child's IPC channel, not the `session` task's result: that task rejects once
 * the message is sent (child.ts says why).
 */
export interface SessionReady {
  readonly type: typeof SESSION_READY
  readonly initError?: SerializedError
}

/** Whether a message from a child is its {@link SessionReady}. */
export function isSessionReady(message: unknown): message is SessionReady {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === SESSION_READY
}

/** The tag of {@link CodeCacheOffer}. */
export const CODE_CACHE = '@x/process-pool:code-cache'

/**
 * V8's code cache of the bundled child, sent just before the child's first result when its session
 * asked it to make one (`makeCodeCache`): later children get it (child-entry.ts).
 */
export interface CodeCacheOffer {
  readonly type: typeof CODE_CACHE
  readonly codeCache: Uint8Array
}

/** Whether a message from a child is its {@link CodeCacheOffer}. */
export function isCodeCacheOffer(message: unknown): message is CodeCacheOffer {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === CODE_CACHE && (message as { codeCache?: unknown }).codeCache instanceof Uint8Array
}
