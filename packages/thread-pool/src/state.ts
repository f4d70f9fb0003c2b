/**
 * Per-thread state shared by the worker entry and the package entry. The worker entry runs as a
 * bundle (its own copy of this file) while task code imports the package entry: both copies keep
 * the name on the thread's `globalThis`, under one registered symbol.
 *
 * @internal
 * @module
 */

const nameKey: unique symbol = Symbol.for('@x/thread-pool.threadName') as never
const shared = globalThis as { [nameKey]?: string | undefined }

/** @internal Set by the worker entry when the thread starts serving. */
export function setThreadName(value: string): void {
  shared[nameKey] = value
}

/**
 * The name of the pool thread this code runs on (`<threadNamePrefix>_<n>`, n counting from 0,
 * like Python's thread names), or `undefined` outside a pool's worker thread.
 *
 * @example
 * ```ts
 * // tasks.ts (run in a pool created with { threadNamePrefix: 'img' })
 * import { threadName } from '@x/thread-pool'
 * export function whoAmI() { return threadName() } // 'img_0'
 * ```
 * @since 0.1.0
 */
export function threadName(): string | undefined {
  return shared[nameKey]
}
