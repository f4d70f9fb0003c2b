/**
 * `reportProgress()`: how a backend hands a task's progress report to its future. Apart from
 * `progress.ts`, which `future.ts` imports, so this file may import the `Future` type.
 *
 * @module
 */
import type { Future } from './future.js'
import { kReportProgress } from './future-hooks.js'

/**
 * For backend authors: hands a progress report of the task behind `future` to its
 * `onProgress()` listeners, coalesced as the in-thread executor's reports are (the latest value
 * wins; nothing after the future is done). A pool calls it when a worker's task reports.
 *
 * @example
 * ```ts
 * // in a pool, on a worker's { type: 'progress', id, value } message
 * reportProgress(futureById.get(id), value)
 * ```
 * @since 0.1.0
 */
export function reportProgress(future: Future, value: unknown): void {
  future[kReportProgress](value)
}
