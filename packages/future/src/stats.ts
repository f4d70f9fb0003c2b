/**
 * `executor.stats()`: the snapshot type and the timing histograms behind `waitTime`/`runTime`.
 *
 * @module
 */
import type { RecordableHistogram } from 'node:perf_hooks'

/**
 * A distribution of durations in milliseconds (from a `perf_hooks` histogram, microsecond resolution).
 *
 * @since 0.1.0
 */
export interface TimeStats {
  /** How many durations were recorded. */
  readonly count: number
  /** Milliseconds; 0 when `count` is 0 (as are the others). */
  readonly mean: number
  /** The median, in milliseconds. */
  readonly p50: number
  /** The 90th percentile, in milliseconds. */
  readonly p90: number
  /** The 99th percentile, in milliseconds. */
  readonly p99: number
  /** The longest, in milliseconds. */
  readonly max: number
}

/**
 * A snapshot of an executor's load and history, from `executor.stats()`. The counts cover every
 * call submitted through `submit`, `submitWith` and `map` since the executor was created; the
 * times and `utilization` cover the calls submitted after the first `stats()` call (timing starts
 * when someone asks, so an executor nobody watches pays only for a few counters).
 *
 * @since 0.1.0
 */
export interface ExecutorStats {
  /** Workers that exist now: threads or processes for the pools; for `AsyncPoolExecutor`, the calls running (it has no threads). */
  readonly workers: number
  /**
   * Calls running now (RUNNING futures). What a backend counts as running: `AsyncPoolExecutor`,
   * the calls executing; `ThreadPoolExecutor`, the calls a thread has claimed (it reads the
   * threads' shared claim words when you call `stats()`); `ProcessPoolExecutor`, the calls handed
   * to a child (a child runs them one at a time; like CPython's call queue, the ones sent ahead
   * count as running, and their run time starts when they are sent).
   */
  readonly running: number
  /** Calls waiting now: submitted, not started, not cancelled (PENDING futures, those waiting on a dependency included). */
  readonly queued: number
  /** Calls that finished with a result. */
  readonly completed: number
  /** Calls that finished with an error (a dependency's failure included). */
  readonly failed: number
  /** Futures cancelled before they started. */
  readonly cancelled: number
  /**
   * The share of the workers' time spent running calls since the first `stats()` call, 0 to 1:
   * the run time of the timed calls that finished plus the time the running ones have run so
   * far, divided by `maxWorkers` × the time since that first call (0 on the first call).
   */
  readonly utilization: number
  /** From `submit()` to the start of each timed call that started. */
  readonly waitTime: TimeStats
  /** From the start to the end of each timed call that ran to the end (with a result or an error). */
  readonly runTime: TimeStats
}

const BUFFER = 256

/**
 * A `perf_hooks` histogram of durations fed through a small buffer: recording a duration is an
 * array write, and the buffer is copied into the histogram when full or when read.
 * @internal
 */
export class Durations {
  #histogram: RecordableHistogram | undefined
  readonly #buffer = new Float64Array(BUFFER)
  #length = 0

  record(ms: number): void {
    this.#buffer[this.#length++] = ms
    if (this.#length === BUFFER) this.#flush()
  }

  snapshot(): TimeStats {
    this.#flush()
    const h = this.#histogram
    if (h === undefined || h.count === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 }
    // recorded in microseconds
    return {
      count: h.count,
      mean: h.mean / 1000,
      p50: h.percentile(50) / 1000,
      p90: h.percentile(90) / 1000,
      p99: h.percentile(99) / 1000,
      max: h.max / 1000,
    }
  }

  #flush(): void {
    if (this.#length === 0) return
    // (perf_hooks loads here, not with this module: every worker thread and child imports
    // @x/future, and loading perf_hooks is part of each one's start)
    const h = (this.#histogram ??= process.getBuiltinModule('node:perf_hooks').createHistogram())
    for (let i = 0; i < this.#length; i++) {
      // a histogram takes integers >= 1: microseconds, at least 1
      h.record(Math.max(1, Math.round((this.#buffer[i] ?? 0) * 1000)))
    }
    this.#length = 0
  }
}
