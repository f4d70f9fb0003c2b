/**
 * The executors the chaos runs and the soak drive, each described by what the harness needs to
 * know about it from its public API only: how to build one, which errors mean "the worker
 * running this died", and (for backends whose workers are processes) which pids can be killed
 * from outside, what to stop and check after shutdown. A new backend plugs in by adding one entry.
 *
 * @module
 */
import { ProcessExitError, ProcessPoolExecutor } from '@x/process-pool'
import { ThreadPoolExecutor, WorkerExitError } from '@x/thread-pool'
import type { ChaosBackend } from './backend.js'
import { distributedBackend } from './distributed-backend.js'

export type { BackendOptions, ChaosBackend } from './backend.js'

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
  distributed: distributedBackend,
}
