import type { Connection } from './connection.js'

/**
 * Options of {@link DistributedExecutor}.
 *
 * @since 0.1.0
 */
export interface DistributedExecutorOptions {
  /** Where Redis is. @default process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' */
  connection?: Connection | undefined
  /** The BullMQ queue name the workers serve (`x-worker --queue`). */
  queue: string
  /**
   * The folder task modules are addressed from (`new URL('.', import.meta.url)` or an absolute
   * path). A `task()` module outside it is refused at `submit()`; workers load the same relative
   * path under their own `--root`.
   */
  root: string | URL
  /**
   * The most jobs handed to BullMQ at once (this executor's share of the cluster); the rest stay
   * PENDING here, where `cancel()` is exact. By default the capacity the live workers register, and
   * two jobs per slot sent ahead: those wait in BullMQ for a slot, RUNNING (not cancellable), so a
   * worker that finishes a job fetches the next at once.
   */
  maxWorkers?: number | undefined
  /**
   * At most this many calls wait (PENDING) besides the `maxWorkers` handed over; `submit()` beyond
   * it throws `QueueFullError`. @default Infinity
   */
  maxQueue?: number | undefined
  /** How often a task whose worker was lost is run again before it fails. @default 0 */
  retries?: number | undefined
  /** Milliseconds between checks of the workers' heartbeats while tasks run. @default 1000 */
  checkInterval?: number | undefined
  /** A label for reports. */
  name?: string | undefined
}

const OPTION_NAMES = ['connection', 'queue', 'root', 'maxWorkers', 'maxQueue', 'retries', 'checkInterval', 'name'] as const

/** The longest delay a Node timer keeps (a longer one fires after 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1

/** A short description of a bad value for an error message (safe for symbols and odd objects). */
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'bigint') return `${String(value)}n`
  if (typeof value === 'symbol' || typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) return String(value)
  if (typeof value === 'function') return 'a function'
  return Array.isArray(value) ? 'an array' : 'an object'
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * The validated options of {@link DistributedExecutorOptions}; throws `TypeError`/`RangeError`
 * naming the option and what it takes.
 */
export function checkOptions(options: DistributedExecutorOptions): { maxWorkers: number | undefined; retries: number; checkInterval: number } {
  if (!isPlainObject(options)) {
    throw new TypeError(`DistributedExecutor: options must be an object like { connection, queue, root }, got ${shown(options)}`)
  }
  for (const key of Object.keys(options)) {
    if (!(OPTION_NAMES as readonly string[]).includes(key)) {
      throw new TypeError(`DistributedExecutor: unknown option "${key}"; the options are ${OPTION_NAMES.map((k) => `"${k}"`).join(', ')}`)
    }
  }
  const given = options.maxWorkers
  if (given !== undefined && (typeof given !== 'number' || !Number.isInteger(given))) {
    throw new TypeError(`maxWorkers must be an integer, got ${shown(given)}`)
  }
  if (given !== undefined && given <= 0) throw new RangeError(`max_workers must be greater than 0 (maxWorkers: ${String(given)})`)
  if (typeof options.queue !== 'string' || options.queue === '' || options.queue.includes(':')) {
    throw new TypeError(`queue must be a non-empty name without ":", got ${shown(options.queue)}`)
  }
  const root: unknown = options.root
  if (!(root instanceof URL) && typeof root !== 'string') {
    throw new TypeError(`root must be an absolute path or a file: URL (new URL('.', import.meta.url)), got ${shown(root)}`)
  }
  const connection: unknown = options.connection
  if (connection !== undefined && !(typeof connection === 'string' && /^rediss?:\/\//iu.test(connection)) && !isPlainObject(connection)) {
    throw new TypeError(
      `connection must be a redis:// or rediss:// URL or an object of ioredis options ({ host, port, ... }), got ${shown(connection)}`,
    )
  }
  const retries = options.retries ?? 0
  if (typeof retries !== 'number' || !Number.isInteger(retries) || retries < 0) {
    throw new RangeError(`retries must be an integer >= 0, got ${shown(retries)}`)
  }
  const checkInterval = options.checkInterval ?? 1000
  if (typeof checkInterval !== 'number' || !(checkInterval >= 10 && checkInterval <= MAX_TIMER_MS)) {
    throw new RangeError(`checkInterval must be a number of milliseconds from 10 to ${String(MAX_TIMER_MS)}, got ${shown(checkInterval)}`)
  }
  if (options.name !== undefined && typeof options.name !== 'string') throw new TypeError(`name must be a string, got ${shown(options.name)}`)
  return { maxWorkers: given, retries, checkInterval }
}

/** Validates `submitWith()`'s options: `{ name?, signal?, transfer? }` (`transfer` is ignored: values are copied). */
export function checkSubmitOptions(options: unknown): void {
  if (!isPlainObject(options)) throw new TypeError(`submitWith(): options must be an object like { name, signal }, got ${shown(options)}`)
  for (const key of Object.keys(options)) {
    if (key !== 'name' && key !== 'signal' && key !== 'transfer') {
      throw new TypeError(`submitWith(): unknown option "${key}"; the options are "name", "signal", "transfer"`)
    }
  }
  if (options.name !== undefined && typeof options.name !== 'string') throw new TypeError(`submitWith(): name must be a string, got ${shown(options.name)}`)
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new TypeError(`submitWith(): signal must be an AbortSignal, got ${shown(options.signal)}`)
  }
  if (options.transfer !== undefined && !Array.isArray(options.transfer)) {
    throw new TypeError(`submitWith(): transfer must be an array (ignored here: values are copied to the worker), got ${shown(options.transfer)}`)
  }
}
