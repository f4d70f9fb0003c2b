/**
 * The options of {@link detectDeadlocks}, and their checks: a `TypeError` naming the option and
 * what it takes.
 *
 * @module
 */
import type { DeadlockReport } from './types.js'

/**
 * What to do when a deadlock is found:
 * - `'throw'` (default): reject the wait that closed the deadlock with a {@link DeadlockError};
 *   its task fails, and the others get that failure through their own waits.
 * - `'warn'`: `process.emitWarning` (type `DeadlockWarning`, code `ERR_DEADLOCK`) and keep waiting.
 * - `'compensate'`: for pool starvation, lend the starved pool one extra worker until the wait
 *   ends (like Java's ForkJoinPool), so the program finishes; other kinds (and a pool that
 *   cannot lend) throw as in `'throw'`.
 * - a function: called with the report; nothing else is done.
 *
 * @since 0.1.0
 */
export type OnDeadlock = 'throw' | 'warn' | 'compensate' | ((report: DeadlockReport) => void)

/**
 * Options of {@link detectDeadlocks}.
 *
 * @since 0.1.0
 */
export interface DetectDeadlocksOptions {
  /** Default `'throw'`. */
  readonly onDeadlock?: OnDeadlock | undefined
  /**
   * Record where every wait inside a task happened, for reports (default `true`). Recording
   * costs a few microseconds per wait (V8 captures the call stack): a program that makes
   * hundreds of thousands of nested waits per second can turn it off, and reports then show the
   * wait site of the wait that closed the deadlock only.
   */
  readonly waitSites?: boolean | undefined
}

const MODES = new Set(['throw', 'warn', 'compensate'])
const OPTIONS = new Set(['onDeadlock', 'waitSites'])

export function parseOnDeadlock(options: unknown): OnDeadlock {
  if (options === undefined) return 'throw'
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`detectDeadlocks options must be an object like { onDeadlock: 'warn' }, got ${describe(options)}`)
  }
  for (const key of Object.keys(options)) {
    if (!OPTIONS.has(key)) {
      throw new TypeError(`detectDeadlocks: unknown option ${JSON.stringify(key)} (the options are onDeadlock and waitSites)`)
    }
  }
  const onDeadlock = (options as { onDeadlock?: unknown }).onDeadlock
  if (onDeadlock === undefined) return 'throw'
  if (typeof onDeadlock === 'function') return onDeadlock as (report: DeadlockReport) => void
  if (typeof onDeadlock === 'string' && MODES.has(onDeadlock)) return onDeadlock as OnDeadlock
  throw new TypeError(`onDeadlock must be 'throw', 'warn', 'compensate' or a function, got ${describe(onDeadlock)}`)
}

export function parseWaitSites(options: unknown): boolean {
  const waitSites = (options as { waitSites?: unknown } | undefined)?.waitSites
  if (waitSites === undefined) return true
  if (typeof waitSites === 'boolean') return waitSites
  throw new TypeError(`waitSites must be true or false, got ${describe(waitSites)}`)
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (Array.isArray(value)) return 'an array'
  if (value === null) return 'null'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${typeof value} ${value.toString()}`
  return typeof value
}
