import { availableParallelism } from 'node:os'
import type { ResourceLimits } from 'node:worker_threads'
import { checkArguments, describeCallable, describeValue, isTask } from '@x/future'
import type { Callable, CallableSpec } from '@x/future'
import { checkWorkerLifecycle } from '@x/pool-kit'

/**
 * The most threads a pool may be asked for. Threads start lazily, but the pool sizes tables
 * by it; past this a number is a mistake, not a plan (each thread is a V8 isolate
 * with its own heap).
 */
export const MAX_THREAD_WORKERS = 2 ** 20

const LIMIT_KEYS = ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb'] as const

/**
 * Checks `resourceLimits` once, in the constructor, and returns a plain copy: a getter that
 * throws throws here (not later, from a microtask, when a thread starts), and a value Node's
 * `Worker` would refuse is named with the option it came from.
 */
export function checkResourceLimits(value: unknown): ResourceLimits | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(
      `ThreadPoolExecutor: resourceLimits must be an object like { maxOldGenerationSizeMb: 64 }, got ${describeValue(value)}`,
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
        `ThreadPoolExecutor: resourceLimits.${key} must be a number of megabytes > 0, got ${describeValue(limit)}`,
      )
    }
    copy[key] = limit
  }
  return copy
}

/** Refuses an initializer that is neither a function nor a `task(url, name)` handle, naming the option. */
export function checkInitializerShape(value: unknown): void {
  if (typeof value !== 'function' && !isTask(value)) {
    throw new TypeError(
      `ThreadPoolExecutor: initializer must be a callable (a function or a task(url, name) handle), got ${describeValue(value)}`,
    )
  }
}

/**
 * Options of `ThreadPoolExecutor`.
 *
 * @since 0.1.0
 */
export interface ThreadPoolExecutorOptions {
  /**
   * The most worker threads (and so the most tasks running at once).
   * @default `os.availableParallelism()`
   */
  maxWorkers?: number | undefined
  /**
   * Runs once in every worker thread before its first task: a `task(url, name)` handle or a
   * self-contained function. When it throws, the pool is broken: queued futures fail with
   * `BrokenThreadPoolError` and later `submit()` throws it.
   */
  initializer?: Callable | undefined
  /** The arguments of `initializer`. @default [] */
  initargs?: readonly unknown[] | undefined
  /**
   * Worker thread names are `<threadNamePrefix>_<n>` (see `threadName()`).
   * @default `ThreadPoolExecutor-<k>`, k counting pools in this process
   */
  threadNamePrefix?: string | undefined
  /**
   * Milliseconds an idle worker thread is kept before it exits. Idle threads never keep the
   * process alive, whatever this is. @default Infinity (kept until `shutdown()`, like Python)
   */
  idleTimeout?: number | undefined
  /** Heap and stack limits of each worker thread (Node's `Worker` `resourceLimits`). */
  resourceLimits?: ResourceLimits | undefined
  /**
   * Milliseconds a running task gets to stop after its `submitWith({ signal })` signal aborts,
   * before the pool ends its worker thread and rejects its future with the abort reason.
   * @default 1000
   */
  abortGracePeriod?: number | undefined
  /** A label for diagnostics. @default `ThreadPoolExecutor #<id>` */
  name?: string | undefined
  /**
   * At most this many calls wait for a thread (besides the `maxWorkers` running); `submit()`
   * beyond it throws `QueueFullError` (code `ERR_QUEUE_FULL`), and `onRoom()` resolves when
   * there is room again. See `Executor.maxQueue`. @default Infinity
   */
  maxQueue?: number | undefined
  /**
   * Worker threads started at construction and kept while idle, whatever `idleTimeout` says, so
   * the first tasks do not wait for a thread to boot. They never keep the process alive by
   * themselves. An integer from 0 to `maxWorkers`. @default 0
   */
  minWorkers?: number | undefined
  /**
   * A worker thread is ended after it has run this many tasks (a fresh one takes its place when
   * work comes): bounds what a leaking task module can accumulate. An integer >= 1.
   * @default unlimited
   */
  maxTasksPerWorker?: number | undefined
}

export const OPTION_NAMES = [
  'maxWorkers',
  'initializer',
  'initargs',
  'threadNamePrefix',
  'idleTimeout',
  'resourceLimits',
  'abortGracePeriod',
  'name',
  'maxQueue',
  'minWorkers',
  'maxTasksPerWorker',
] as const

/** A plain object (not null, not an array): checks values that come from untyped callers. */
export function isOptionsObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function checkMaxWorkers(value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`maxWorkers must be a positive integer, got ${describeValue(value)}`)
  }
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`max_workers must be greater than 0 (maxWorkers must be a positive integer, got ${String(value)})`)
  }
  if (value > MAX_THREAD_WORKERS) {
    throw new RangeError(`maxWorkers must be at most ${String(MAX_THREAD_WORKERS)} (each worker is a thread with its own V8 heap), got ${String(value)}`)
  }
  return value
}

export function checkDuration(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new RangeError(`ThreadPoolExecutor: ${option} must be a number of milliseconds >= 0 (or Infinity), got ${describeValue(value)}`)
  }
  return value
}

let poolCounter = 0

/** The options of a {@link ThreadPoolExecutorOptions}, checked once, in the constructor. */
export interface ParsedOptions {
  readonly maxWorkers: number
  readonly initializer: { readonly spec: CallableSpec; readonly args: unknown[] } | undefined
  readonly threadNamePrefix: string
  readonly idleTimeout: number
  readonly abortGracePeriod: number
  readonly resourceLimits: ResourceLimits | undefined
  readonly name: string | undefined
  readonly maxQueue: number | undefined
  readonly minWorkers: number
  readonly maxTasksPerWorker: number
}

/** Checks the constructor's options; every refusal names the option and what it takes. */
export function parseOptions(options: ThreadPoolExecutorOptions | undefined): ParsedOptions {
  if (options !== undefined && !isOptionsObject(options)) {
    throw new TypeError(`ThreadPoolExecutor: options must be an object, got ${describeValue(options)}`)
  }
  for (const key of Object.keys(options ?? {})) {
    if (!(OPTION_NAMES as readonly string[]).includes(key)) {
      throw new TypeError(`ThreadPoolExecutor: unknown option "${key}"; the options are ${OPTION_NAMES.map((k) => `"${k}"`).join(', ')}`)
    }
  }
  const maxWorkers = options?.maxWorkers === undefined ? availableParallelism() : checkMaxWorkers(options.maxWorkers)
  const initializer = options?.initializer
  let spec: CallableSpec | undefined
  if (initializer !== undefined) {
    checkInitializerShape(initializer)
    try {
      spec = describeCallable(initializer)
    } catch (error) {
      throw new TypeError(`ThreadPoolExecutor: initializer must be a callable: ${(error as Error).message}`, { cause: error })
    }
  }
  const initargs = options?.initargs ?? []
  if (!Array.isArray(initargs)) {
    throw new TypeError(`ThreadPoolExecutor: initargs must be an array of arguments, got ${describeValue(initargs)}`)
  }
  checkArguments(initargs)
  const prefix = options?.threadNamePrefix ?? `ThreadPoolExecutor-${String(poolCounter++)}`
  if (typeof prefix !== 'string') {
    throw new TypeError(`ThreadPoolExecutor: threadNamePrefix must be a string, got ${describeValue(prefix)}`)
  }
  const idleTimeout = checkDuration(options?.idleTimeout, 'idleTimeout', Infinity)
  const abortGracePeriod = checkDuration(options?.abortGracePeriod, 'abortGracePeriod', 1000)
  const resourceLimits = checkResourceLimits(options?.resourceLimits)
  if (options?.name !== undefined && typeof options.name !== 'string') {
    throw new TypeError(`ThreadPoolExecutor: name must be a string, got ${describeValue(options.name)}`)
  }
  const lifecycle = checkWorkerLifecycle('ThreadPoolExecutor', options ?? {}, maxWorkers)
  return {
    maxWorkers,
    initializer: spec === undefined ? undefined : { spec, args: Array.from(initargs as readonly unknown[]) },
    threadNamePrefix: prefix,
    idleTimeout,
    abortGracePeriod,
    resourceLimits,
    name: options?.name,
    maxQueue: options?.maxQueue,
    minWorkers: lifecycle.minWorkers,
    maxTasksPerWorker: lifecycle.maxTasksPerWorker,
  }
}
