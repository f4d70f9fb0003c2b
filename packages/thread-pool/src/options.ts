import type { ResourceLimits } from 'node:worker_threads'
import { isTask } from '@x/future'

/**
 * The most threads a pool may be asked for. Threads start lazily, but the pool and tinypool
 * size tables by it; past this a number is a mistake, not a plan (each thread is a V8 isolate
 * with its own heap).
 */
export const MAX_THREAD_WORKERS = 2 ** 20

const LIMIT_KEYS = ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb'] as const

/**
 * Checks `resourceLimits` once, in the constructor, and returns a plain copy: a getter that
 * throws throws here (not later, from a microtask, when a thread starts), and a value Node's
 * `Worker` would refuse is named with the option it came from.
 */
export function checkResourceLimits(value: unknown, describe: (value: unknown) => string): ResourceLimits | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(
      `ThreadPoolExecutor: resourceLimits must be an object like { maxOldGenerationSizeMb: 64 }, got ${describe(value)}`,
    )
  }
  const source = value as Record<string, unknown>
  const copy: Record<string, number> = {}
  for (const key of Object.keys(source)) {
    if (!(LIMIT_KEYS as readonly string[]).includes(key)) {
      throw new TypeError(
        `ThreadPoolExecutor: unknown resourceLimits key "${key}"; the keys are ${LIMIT_KEYS.map((k) => `"${k}"`).join(', ')}`,
      )
    }
  }
  for (const key of LIMIT_KEYS) {
    const limit = source[key]
    if (limit === undefined) continue
    if (typeof limit !== 'number' || !Number.isFinite(limit) || limit <= 0) {
      throw new RangeError(
        `ThreadPoolExecutor: resourceLimits.${key} must be a number of megabytes > 0, got ${describe(limit)}`,
      )
    }
    copy[key] = limit
  }
  return copy
}

/** Refuses an initializer that is neither a function nor a `task(url, name)` handle, naming the option. */
export function checkInitializerShape(value: unknown, describe: (value: unknown) => string): void {
  if (typeof value !== 'function' && !isTask(value)) {
    throw new TypeError(
      `ThreadPoolExecutor: initializer must be a callable (a function or a task(url, name) handle), got ${describe(value)}`,
    )
  }
}
