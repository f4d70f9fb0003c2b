/**
 * The states of a `Future`, and the word `future.toString()` shows for each.
 *
 * @module
 */
import { typeName } from './validate.js'

/**
 * The state of a {@link Future}. Python's five states: a cancelled future is `CANCELLED` until
 * its executor acknowledges it (`setRunningOrNotifyCancel()`), then `CANCELLED_AND_NOTIFIED`.
 *
 * @since 0.1.0
 */
export type FutureState = 'PENDING' | 'RUNNING' | 'CANCELLED' | 'CANCELLED_AND_NOTIFIED' | 'FINISHED'

/** What `future.toString()` shows for a state: `pending`, `cancelled`, `finished raised RangeError`, ... */
export function stateLabel(state: FutureState, failed: boolean, outcome: unknown): string {
  switch (state) {
    case 'PENDING':
      return 'pending'
    case 'RUNNING':
      return 'running'
    case 'CANCELLED':
    case 'CANCELLED_AND_NOTIFIED':
      return 'cancelled'
    case 'FINISHED':
      return failed ? `finished raised ${typeName(outcome)}` : `finished returned ${typeName(outcome)}`
  }
}
