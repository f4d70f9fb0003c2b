/**
 * Recovery when a worker dies. A worker runs the work it holds one call at a time, in the order
 * it was sent; so once the pool knows which of it had started last, the work splits in three:
 * - `finished`: before it; it ran to the end but its results died with the worker;
 * - `running`: the one it was running; its future fails, naming the death;
 * - `unstarted`: sent ahead behind it; it goes back to the FRONT of the queue, in order, and
 *   runs on another worker as if nothing had happened.
 *
 * @module
 */

/**
 * The work a dead worker held, split by what happened to it.
 * @since 0.1.0
 */
export interface DeadWorkerSplit<T> {
  /** Ran to the end, results lost with the worker: fail them, naming the death. */
  readonly finished: T[]
  /** Was running when the worker died: fail it, naming the death. */
  readonly running: T[]
  /** Never started: queue them again, at the front. */
  readonly unstarted: T[]
}

/**
 * Splits the work a dead worker held, `held` in the order it was sent.
 *
 * @param held the work, oldest first
 * @param startedAt the index in `held` of the last call the worker started; `-1` when it
 *   started none of them (its last started call had already reported back); `undefined` when
 *   the pool cannot know ("sent means started": everything it held counts as running)
 * @example
 * ```ts
 * splitDeadWorker(['a', 'b', 'c', 'd'], 1) // { finished: ['a'], running: ['b'], unstarted: ['c', 'd'] }
 * ```
 * @since 0.1.0
 */
export function splitDeadWorker<T>(held: readonly T[], startedAt: number | undefined): DeadWorkerSplit<T> {
  if (startedAt === undefined) return { finished: [], running: [...held], unstarted: [] }
  if (startedAt < 0 || startedAt >= held.length) return { finished: [], running: [], unstarted: [...held] }
  return { finished: held.slice(0, startedAt), running: held.slice(startedAt, startedAt + 1), unstarted: held.slice(startedAt + 1) }
}

/**
 * How a worker ended, for a message: `was killed by signal SIGKILL (killed: ...)`,
 * `exited with code 3`.
 * @since 0.1.0
 */
export function describeExit(exitCode: number | null | undefined, signal: string | null | undefined): string {
  if (signal !== null && signal !== undefined) {
    const hint =
      signal === 'SIGABRT'
        ? ' (process.abort(), or a fatal V8 error such as running out of memory; see its stderr)'
        : signal === 'SIGKILL'
          ? ' (killed: by someone, or by the system when it ran out of memory)'
          : ''
    return `was killed by signal ${signal}${hint}`
  }
  if (exitCode !== null && exitCode !== undefined) {
    const hint = exitCode === 134 ? ' (an abort: process.abort() or a fatal V8 error such as running out of memory)' : ''
    return `exited with code ${String(exitCode)}${hint}`
  }
  return 'exited'
}
