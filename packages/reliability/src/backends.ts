/**
 * The executors the chaos runs and the soak drive, each described by what the harness needs to
 * know about it from its public API only: how to build one, which errors mean "the worker
 * running this died", and (for backends whose workers are processes) which pids can be killed
 * from outside. A new backend (the distributed executor, say) plugs in by adding one entry.
 *
 * @module
 */
import type { Executor } from '@x/future'
import { ProcessExitError, ProcessPoolExecutor } from '@x/process-pool'
import { ThreadPoolExecutor, WorkerExitError } from '@x/thread-pool'

/** What a chaos run may ask of a backend. */
export interface BackendOptions {
  readonly maxWorkers: number
  /** Heap limit of each worker, in MiB (OOM tasks hit it). */
  readonly heapLimitMb: number
  /** Milliseconds an aborted running task gets before its worker is ended. */
  readonly abortGracePeriod: number
}

/** One backend as the harness sees it. */
export interface ChaosBackend {
  /** Short name used on the command line (`--backend thread`). */
  readonly name: string
  create(options: BackendOptions): Executor
  /** True when `error` says the worker that ran the future died (exit, signal, OOM). */
  isDeath(error: unknown): boolean
  /**
   * The process ids of the executor's live workers, including ones still starting, when they
   * are separate processes the harness may SIGKILL; `undefined` when workers cannot be killed
   * from outside (threads).
   */
  pids?(executor: Executor): readonly number[]
  /** Which worker a death error names (a pid), when the error says. */
  deadWorker?(error: unknown): number | undefined
}

/** `ThreadPoolExecutor`: threads die by `process.exit`, uncaught errors and `resourceLimits`. */
export const threadBackend: ChaosBackend = {
  name: 'thread',
  create: ({ maxWorkers, heapLimitMb, abortGracePeriod }) =>
    new ThreadPoolExecutor({
      maxWorkers,
      abortGracePeriod,
      resourceLimits: { maxOldGenerationSizeMb: heapLimitMb, maxYoungGenerationSizeMb: 8 },
      name: 'chaos threads',
    }),
  isDeath: (error) => error instanceof WorkerExitError,
}

/** `ProcessPoolExecutor`: children also die by external SIGKILL, including while starting. */
export const processBackend: ChaosBackend = {
  name: 'process',
  create: ({ maxWorkers, heapLimitMb, abortGracePeriod }) =>
    new ProcessPoolExecutor({
      maxWorkers,
      abortGracePeriod,
      execArgv: [`--max-old-space-size=${String(heapLimitMb)}`],
      name: 'chaos processes',
    }),
  isDeath: (error) => error instanceof ProcessExitError,
  pids: (executor) => (executor instanceof ProcessPoolExecutor ? executor.pids : []),
  deadWorker: (error) => (error instanceof ProcessExitError ? error.pid : undefined),
}

/** Every backend by name. */
export const backends: Readonly<Record<string, ChaosBackend>> = {
  thread: threadBackend,
  process: processBackend,
}
