/**
 * `@x/diagnostics`: a deadlock detector for `@x/future` executors that explains itself.
 *
 * @example
 * ```ts
 * import { detectDeadlocks } from '@x/diagnostics'
 * using detector = detectDeadlocks({ onDeadlock: 'throw' })
 * // ... a deadlocked wait now rejects with DeadlockError instead of hanging
 * console.log(detector.snapshot().toString())
 * ```
 *
 * @module
 */
export { detectDeadlocks, deadlockChannel } from './detector.js'
export type { DeadlockDetector } from './detector.js'
export type { DetectDeadlocksOptions, OnDeadlock } from './detector-options.js'
export type { GraphSnapshot } from './snapshot.js'
export { DeadlockError, isDeadlockError } from './errors.js'
export { formatReport, formatSnapshot } from './render.js'
export type { GraphFormat } from './render.js'
export type {
  DeadlockAction,
  DeadlockKind,
  DeadlockReport,
  EdgeInfo,
  ExecutorInfo,
  GraphInfo,
  NodeRole,
  SlotInfo,
  SnapshotInfo,
  TaskInfo,
  WaitInfo,
} from './types.js'
