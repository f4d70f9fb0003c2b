/**
 * The diagnostics event contract: what every executor publishes on `node:diagnostics_channel`.
 * `@x/diagnostics` (the deadlock detector) only subscribes to these channels, so any backend that
 * publishes the same events is covered by it. See the package README, "Diagnostics events".
 *
 * With no subscriber, publishing costs one `hasSubscribers` check. The channel objects themselves
 * are in `channels.ts` (the main entry's): a worker that loads only `@x/future/runtime` does not
 * make them (~1M instructions per fresh thread for the eleven).
 *
 * @module
 */
/**
 * `@x/future:executor:create`: an executor was constructed.
 *
 * @since 0.1.0
 */
export interface ExecutorCreateEvent {
  /** The executor's id, unique in the process; the other events name the executor by it. */
  readonly executorId: number
  /** `'async'`, `'thread'`, `'process'`, or a third-party backend's own word. */
  readonly kind: string
  /** A label for reports, e.g. `ThreadPoolExecutor #2`. */
  readonly name: string
  /** How many calls the executor runs at once. */
  readonly maxWorkers: number
  /**
   * Asks the executor to run one extra worker beyond `maxWorkers` (deadlock compensation).
   * Returns a function that gives the worker back, or `undefined` when the executor cannot lend
   * one (not supported, or its cap is reached).
   */
  readonly lendWorker: () => (() => void) | undefined
}

/**
 * `@x/future:executor:shutdown`: `shutdown()` was called.
 *
 * @since 0.1.0
 */
export interface ExecutorShutdownEvent {
  /** The executor that is shutting down. */
  readonly executorId: number
  /** The `wait` option of the `shutdown()` call. */
  readonly wait: boolean
  /** The `cancelFutures` option of the `shutdown()` call. */
  readonly cancelFutures: boolean
  /** The id of the task that called `shutdown()`, when it was called from inside a task. */
  readonly callerTaskId: number | undefined
}

/**
 * `@x/future:future:submit`: a task was queued (its future is PENDING).
 *
 * @since 0.1.0
 */
export interface FutureSubmitEvent {
  /** The new future's id (`future.id`). */
  readonly futureId: number
  /** The executor it was submitted to. */
  readonly executorId: number
  /** The task's name (`future.name`), when it has one. */
  readonly name: string | undefined
  /** The id of the task that submitted it, when submitted from inside a task (nested work). */
  readonly callerTaskId: number | undefined
}

/**
 * `@x/future:future:start`: a task started running; it holds a worker slot until it finishes.
 * A backend may leave it out for a task whose start it learns together with its end (a worker
 * ran it between two looks of the coordinator): subscribers must accept a `future:finish` for a
 * task they never saw start.
 *
 * @since 0.1.0
 */
export interface FutureStartEvent {
  /** The future whose call started. */
  readonly futureId: number
  /** The executor that runs it. */
  readonly executorId: number
  /** The slot or worker that runs it, unique within its executor while it runs. */
  readonly workerId: number
}

/**
 * `@x/future:future:finish`: a future got its result or exception. Published by `Future` itself.
 *
 * @since 0.1.0
 */
export interface FutureFinishEvent {
  /** The future that finished. */
  readonly futureId: number
  /** `true` when it finished with an exception (`setException`). */
  readonly failed: boolean
}

/**
 * `@x/future:future:cancel`: a PENDING future was cancelled. Published by `Future` itself.
 *
 * @since 0.1.0
 */
export interface FutureCancelEvent {
  /** The future that was cancelled. */
  readonly futureId: number
}

/**
 * `@x/future:wait:start`: code started waiting on futures that are not done
 * (`result()`, `exception()`, `await future`, `wait()`, an `asCompleted` step, a `map` step).
 *
 * @since 0.1.0
 */
export interface WaitStartEvent {
  /** Unique per wait (see `newWaitId()`); its {@link WaitEndEvent} carries the same id. */
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

/**
 * `@x/future:wait:end`: a wait ended.
 *
 * @since 0.1.0
 */
export interface WaitEndEvent {
  /** The `waitId` of the wait's {@link WaitStartEvent}. */
  readonly waitId: number
  /** `'settled'`: what it waited for happened; `'timeout'`: its timeout passed; `'rejected'`: a subscriber ended it with `reject()`. */
  readonly reason: 'settled' | 'timeout' | 'rejected'
}

/**
 * `@x/future:dependency:start`: a call got futures as arguments and waits for them before it is
 * queued (it is PENDING and holds no worker meanwhile). Published after its `future:submit`.
 *
 * @since 0.1.0
 */
export interface DependencyStartEvent {
  /** The waiting call's future. */
  readonly futureId: number
  /** The executor the call was submitted to. */
  readonly executorId: number
  /** The futures it waits for (each once), done ones included. */
  readonly dependencyIds: readonly number[]
}

/**
 * `@x/future:dependency:end`: the call stopped waiting: `'ready'` (handed to the executor with
 * the values), `'failed'` (a dependency failed or was cancelled: the call fails with
 * `DependencyError`), `'cancelled'` (the call itself was cancelled while it waited).
 *
 * @since 0.1.0
 */
export interface DependencyEndEvent {
  /** The waiting call's future. */
  readonly futureId: number
  /** Why it stopped waiting (see above). */
  readonly reason: 'ready' | 'failed' | 'cancelled'
}

/**
 * `@x/future:worker:exit`: a worker (thread or process) of a pool exited unexpectedly or was ended.
 *
 * @since 0.1.0
 */
export interface WorkerExitEvent {
  /** The pool the worker belonged to. */
  readonly executorId: number
  /** The worker, as its {@link FutureStartEvent}s named it. */
  readonly workerId: number
  /** The exit code, when it exited by itself. */
  readonly exitCode: number | undefined
  /** The signal that ended it (a process pool's child), e.g. `'SIGKILL'`. */
  readonly signal: string | undefined
  /** The futures that were running on it. */
  readonly futureIds: readonly number[]
}

/**
 * The channel names, by event (the same names as `channels.X.name`).
 *
 * @since 0.1.0
 */
export const channelNames = {
  /** The channel of {@link ExecutorCreateEvent}. */
  executorCreate: '@x/future:executor:create',
  /** The channel of {@link ExecutorShutdownEvent}. */
  executorShutdown: '@x/future:executor:shutdown',
  /** The channel of {@link FutureSubmitEvent}. */
  futureSubmit: '@x/future:future:submit',
  /** The channel of {@link FutureStartEvent}. */
  futureStart: '@x/future:future:start',
  /** The channel of {@link FutureFinishEvent}. */
  futureFinish: '@x/future:future:finish',
  /** The channel of {@link FutureCancelEvent}. */
  futureCancel: '@x/future:future:cancel',
  /** The channel of {@link WaitStartEvent}. */
  waitStart: '@x/future:wait:start',
  /** The channel of {@link WaitEndEvent}. */
  waitEnd: '@x/future:wait:end',
  /** The channel of {@link WorkerExitEvent}. */
  workerExit: '@x/future:worker:exit',
  /** The channel of {@link DependencyStartEvent}. */
  dependencyStart: '@x/future:dependency:start',
  /** The channel of {@link DependencyEndEvent}. */
  dependencyEnd: '@x/future:dependency:end',
} as const
