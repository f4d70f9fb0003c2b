/**
 * The three backends, by the name used on the command line. Every one is an `Executor`, so the
 * commands are written once against that contract.
 */
import { availableParallelism } from 'node:os'
import { AsyncPoolExecutor, ProcessPoolExecutor, ThreadPoolExecutor } from '@x/concurrent'
import type { Executor } from '@x/concurrent'
import { LocalCluster } from './distributed.js'

/** The local backends ('all' runs these). */
export const BACKENDS = ['async', 'thread', 'process'] as const
/** Every backend `--backend` accepts: the local ones, and two local x-workers on Redis. */
export const ALL_BACKENDS = [...BACKENDS, 'distributed'] as const
export type Backend = (typeof ALL_BACKENDS)[number]

/** What each backend is for, in a few words (for `--help` and the timing tables). */
export const BACKEND_NOTES: Readonly<Record<Backend, string>> = {
  async: 'AsyncPoolExecutor: this thread; for I/O, CPU work runs one call at a time',
  thread: 'ThreadPoolExecutor: worker threads; CPU work in parallel, cheap to start',
  process: 'ProcessPoolExecutor: child processes; CPU work in parallel, isolated',
  distributed: 'DistributedExecutor: two local x-workers on Redis (REDIS_URL); the same code across machines',
}

/** The default number of workers: one per core. */
export function defaultWorkers(): number {
  return availableParallelism()
}

/** A new executor of the given backend with `maxWorkers` workers. */
export function createExecutor(backend: Backend, maxWorkers: number = defaultWorkers()): Executor {
  switch (backend) {
    case 'async':
      return new AsyncPoolExecutor({ maxWorkers })
    case 'thread':
      return new ThreadPoolExecutor({ maxWorkers })
    case 'process':
      return new ProcessPoolExecutor({ maxWorkers })
    case 'distributed':
      return new LocalCluster(maxWorkers)
  }
}
