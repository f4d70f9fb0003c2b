/**
 * The clock pool workers time their tasks with: milliseconds on the system's monotonic clock
 * (`process.hrtime`), the same readings in every thread and process of the machine. Not
 * `performance.now()`: its first read in a thread or process loads `node:perf_hooks` (eight
 * internal modules, ~1-2 ms of CPU on the way to a fresh worker's first result: issue 13, W5),
 * and its zero is each thread's own start.
 *
 * @module
 */

/**
 * Milliseconds on the monotonic clock (zero: some fixed moment before this process started), the
 * default clock of `WorkerRuntime` and the one `ClaimWords` keeps start times on.
 *
 * @example
 * ```ts
 * const t0 = monotonicMs()
 * runTask()
 * const ms = monotonicMs() - t0
 * ```
 * @since 0.1.0
 */
export function monotonicMs(): number {
  // (the [seconds, nanoseconds] pair: as cheap as performance.now(); hrtime.bigint() allocates a
  // BigInt per reading, ~20-40 ns more, read per task and in a thread's idle look for its next call)
  const [seconds, nanoseconds] = process.hrtime()
  return seconds * 1e3 + nanoseconds / 1e6
}

/** `monotonicMs() - performance.now()` in this thread, read once (both count the same clock). */
let offset: number | undefined

/** A {@link monotonicMs} reading as a `performance.now()` reading of the calling thread. */
export function monotonicToPerformance(ms: number): number {
  offset ??= monotonicMs() - performance.now()
  return ms - offset
}
