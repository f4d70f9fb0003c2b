/**
 * The diagnostics event contract: what every executor publishes on `node:diagnostics_channel`.
 * `@x/diagnostics` (the deadlock detector) only subscribes to these channels, so any backend that
 * publishes the same events is covered by it. See the package README, "Diagnostics events".
 *
 * With no subscriber, publishing costs one `hasSubscribers` check.
 *
 * @module
 */
import diagnosticsChannel from 'node:diagnostics_channel'

/** `@x/future:executor:create`: an executor was constructed. */
export interface ExecutorCreateEvent {
  readonly executorId: number
  /** `'async'`, `'thread'`, `'process'`, or a third-party backend's own word. */
  readonly kind: string
  /** A label for reports, e.g. `ThreadPoolExecutor #2`. */
  readonly name: string
  readonly maxWorkers: number
  /**
   * Asks the executor to run one extra worker beyond `maxWorkers` (deadlock compensation).
   * Returns a function that gives the worker back, or `undefined` when the executor cannot lend
   * one (not supported, or its cap is reached).
   */
  readonly lendWorker: () => (() => void) | undefined
}

/** `@x/future:executor:shutdown`: `shutdown()` was called. */
export interface ExecutorShutdownEvent {
  readonly executorId: number
  readonly wait: boolean
  readonly cancelFutures: boolean
  /** The id of the task that called `shutdown()`, when it was called from inside a task. */
  readonly callerTaskId: number | undefined
}

/** `@x/future:future:submit`: a task was queued (its future is PENDING). */
export interface FutureSubmitEvent {
  readonly futureId: number
  readonly executorId: number
  readonly name: string | undefined
  /** The id of the task that submitted it, when submitted from inside a task (nested work). */
  readonly callerTaskId: number | undefined
}

/**
 * `@x/future:future:start`: a task started running; it holds a worker slot until it finishes.
 * A backend may leave it out for a task whose start it learns together with its end (a worker
 * ran it between two looks of the coordinator): subscribers must accept a `future:finish` for a
 * task they never saw start.
 */
export interface FutureStartEvent {
  readonly futureId: number
  readonly executorId: number
  /** The slot or worker that runs it, unique within its executor while it runs. */
  readonly workerId: number
}

/** `@x/future:future:finish`: a future got its result or exception. Published by `Future` itself. */
export interface FutureFinishEvent {
  readonly futureId: number
  readonly failed: boolean
}

/** `@x/future:future:cancel`: a PENDING future was cancelled. Published by `Future` itself. */
export interface FutureCancelEvent {
  readonly futureId: number
}

/**
 * `@x/future:wait:start`: code started waiting on futures that are not done
 * (`result()`, `exception()`, `await future`, `wait()`, an `asCompleted` step, a `map` step).
 */
export interface WaitStartEvent {
  readonly waitId: number
  /** The waiting task's id (its future's id), or `undefined` outside any task (e.g. main). */
  readonly taskId: number | undefined
  /** The futures waited on that were not done when the wait started. */
  readonly futureIds: readonly number[]
  /** `'all'`: needs every future (result(), ALL_COMPLETED); `'any'`: needs one of them. */
  readonly mode: 'all' | 'any'
  /** The wait's timeout in milliseconds; `undefined` when it can wait forever. */
  readonly timeout: number | undefined
  /**
   * Where the wait happened. Captured on the first read, which must happen while the event is
   * being published (in the subscriber itself): the waiter is on the call stack only then. Later
   * reads return what was captured, or a note.
   */
  readonly stack: string
  /**
   * Records the wait site without turning it into text (cheaper than reading `stack`, which
   * formats it): call it while the event is being published; `stack` formats it when first read,
   * later. Optional: a backend that republishes a worker's waits already has the text.
   */
  readonly captureStack?: (() => void) | undefined
  /** Ends this wait at once, rejecting it with `error` (used by the deadlock detector). */
  readonly reject: (error: Error) => void
  /**
   * `true` once the wait has ended (its `wait:end` was published). Optional (a backend that
   * republishes a worker's waits may leave it out); when present, a subscriber that keeps many
   * open waits can check it instead of indexing them by `waitId` for their `wait:end`.
   */
  readonly ended?: boolean | undefined
}

/** `@x/future:wait:end`: a wait ended. */
export interface WaitEndEvent {
  readonly waitId: number
  readonly reason: 'settled' | 'timeout' | 'rejected'
}

/**
 * `@x/future:dependency:start`: a call got futures as arguments and waits for them before it is
 * queued (it is PENDING and holds no worker meanwhile). Published after its `future:submit`.
 */
export interface DependencyStartEvent {
  /** The waiting call's future. */
  readonly futureId: number
  readonly executorId: number
  /** The futures it waits for (each once), done ones included. */
  readonly dependencyIds: readonly number[]
}

/**
 * `@x/future:dependency:end`: the call stopped waiting: `'ready'` (handed to the executor with
 * the values), `'failed'` (a dependency failed or was cancelled: the call fails with
 * `DependencyError`), `'cancelled'` (the call itself was cancelled while it waited).
 */
export interface DependencyEndEvent {
  readonly futureId: number
  readonly reason: 'ready' | 'failed' | 'cancelled'
}

/** `@x/future:worker:exit`: a worker (thread or process) of a pool exited unexpectedly or was ended. */
export interface WorkerExitEvent {
  readonly executorId: number
  readonly workerId: number
  readonly exitCode: number | undefined
  readonly signal: string | undefined
  /** The futures that were running on it. */
  readonly futureIds: readonly number[]
}

/**
 * The channels, by event. Publishers use them (`if (channels.x.hasSubscribers) channels.x.publish(...)`);
 * subscribers use the names in {@link channelNames} with `diagnostics_channel.subscribe(name, fn)`.
 *
 * @example
 * ```ts
 * import diagnosticsChannel from 'node:diagnostics_channel'
 * import { channelNames } from '@x/future'
 * diagnosticsChannel.subscribe(channelNames.futureSubmit, (event) => console.log('submitted', event))
 * ```
 */
export const channels = {
  executorCreate: diagnosticsChannel.channel('@x/future:executor:create'),
  executorShutdown: diagnosticsChannel.channel('@x/future:executor:shutdown'),
  futureSubmit: diagnosticsChannel.channel('@x/future:future:submit'),
  futureStart: diagnosticsChannel.channel('@x/future:future:start'),
  futureFinish: diagnosticsChannel.channel('@x/future:future:finish'),
  futureCancel: diagnosticsChannel.channel('@x/future:future:cancel'),
  waitStart: diagnosticsChannel.channel('@x/future:wait:start'),
  waitEnd: diagnosticsChannel.channel('@x/future:wait:end'),
  workerExit: diagnosticsChannel.channel('@x/future:worker:exit'),
  dependencyStart: diagnosticsChannel.channel('@x/future:dependency:start'),
  dependencyEnd: diagnosticsChannel.channel('@x/future:dependency:end'),
} as const

/** The channel names, by event (the same names as `channels.X.name`). */
export const channelNames = {
  executorCreate: '@x/future:executor:create',
  executorShutdown: '@x/future:executor:shutdown',
  futureSubmit: '@x/future:future:submit',
  futureStart: '@x/future:future:start',
  futureFinish: '@x/future:future:finish',
  futureCancel: '@x/future:future:cancel',
  waitStart: '@x/future:wait:start',
  waitEnd: '@x/future:wait:end',
  workerExit: '@x/future:worker:exit',
  dependencyStart: '@x/future:dependency:start',
  dependencyEnd: '@x/future:dependency:end',
} as const
