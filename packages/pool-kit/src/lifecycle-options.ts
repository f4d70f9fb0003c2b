/**
 * The worker-lifecycle options both pools take, checked the same way: `minWorkers` (workers
 * started at construction and kept while idle) and `maxTasksPerWorker` (a worker is replaced by a
 * fresh one after that many tasks).
 *
 * @module
 */

/**
 * `minWorkers` and `maxTasksPerWorker`, checked.
 *
 * @since 0.1.0
 */
export interface WorkerLifecycle {
  /** Workers started at construction and kept while idle (never keeping the process alive). */
  readonly minWorkers: number
  /** A worker is replaced after this many tasks; `Infinity` when not given. */
  readonly maxTasksPerWorker: number
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value)
  }
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

/**
 * Checks `minWorkers` (an integer from 0 to `maxWorkers`, default 0) and `maxTasksPerWorker` (an
 * integer >= 1, default unlimited) for the executor `where`, with a `TypeError` (not an integer)
 * or a `RangeError` (out of range) that names the option and what it accepts.
 *
 * @example
 * ```ts
 * const { minWorkers, maxTasksPerWorker } = checkWorkerLifecycle('MyPool', options, maxWorkers)
 * ```
 *
 * @throws TypeError when `minWorkers` or `maxTasksPerWorker` is not an integer.
 * @throws RangeError when `minWorkers` is outside 0..`maxWorkers` or `maxTasksPerWorker` is below 1.
 * @since 0.1.0
 */
export function checkWorkerLifecycle(
  where: string,
  options: { readonly minWorkers?: unknown; readonly maxTasksPerWorker?: unknown },
  maxWorkers: number,
): WorkerLifecycle {
  const { minWorkers = 0, maxTasksPerWorker } = options
  if (typeof minWorkers !== 'number' || !Number.isInteger(minWorkers)) {
    throw new TypeError(`${where}: minWorkers must be an integer from 0 to maxWorkers (${String(maxWorkers)}), got ${describeValue(minWorkers)}`)
  }
  if (minWorkers < 0 || minWorkers > maxWorkers) {
    throw new RangeError(
      `${where}: minWorkers must be an integer from 0 to maxWorkers (${String(maxWorkers)}), got ${String(minWorkers)}; ` +
        'raise maxWorkers or lower minWorkers',
    )
  }
  if (maxTasksPerWorker === undefined) return { minWorkers, maxTasksPerWorker: Infinity }
  if (typeof maxTasksPerWorker !== 'number' || !Number.isInteger(maxTasksPerWorker)) {
    throw new TypeError(`${where}: maxTasksPerWorker must be an integer >= 1 (tasks before a worker is replaced), got ${describeValue(maxTasksPerWorker)}`)
  }
  if (maxTasksPerWorker < 1) {
    throw new RangeError(`${where}: maxTasksPerWorker must be an integer >= 1 (tasks before a worker is replaced), got ${String(maxTasksPerWorker)}`)
  }
  return { minWorkers, maxTasksPerWorker }
}
