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
   * PENDING here, where `cancel()` is exact. By default the capacity the live workers register.
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

/** The validated numbers of {@link DistributedExecutorOptions}; throws `TypeError`/`RangeError` naming the option. */
export function checkOptions(options: DistributedExecutorOptions): { maxWorkers: number | undefined; retries: number; checkInterval: number } {
  const given = options.maxWorkers
  if (given !== undefined && (typeof given !== 'number' || !Number.isInteger(given))) {
    throw new TypeError(`maxWorkers must be an integer, got ${String(given)}`)
  }
  if (given !== undefined && given <= 0) throw new RangeError('max_workers must be greater than 0')
  if (typeof options.queue !== 'string' || options.queue === '' || options.queue.includes(':')) {
    throw new TypeError(`queue must be a non-empty name without ":", got ${JSON.stringify(options.queue)}`)
  }
  const retries = options.retries ?? 0
  if (!Number.isInteger(retries) || retries < 0) throw new RangeError(`retries must be an integer >= 0, got ${String(retries)}`)
  const checkInterval = options.checkInterval ?? 1000
  if (typeof checkInterval !== 'number' || !(checkInterval >= 10)) {
    throw new RangeError(`checkInterval must be a number of milliseconds >= 10, got ${String(checkInterval)}`)
  }
  return { maxWorkers: given, retries, checkInterval }
}
