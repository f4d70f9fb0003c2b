/**
 * Ctrl-C: the first SIGINT aborts {@link interrupted} (queued tasks that were submitted with it
 * are cancelled, running ones see `currentTask().signal` abort), shuts down every executor
 * registered with {@link track} (`cancelFutures: true`, waiting for what still runs), then exits
 * with status 130. A second Ctrl-C, or pools that have not stopped after a grace period, exit at
 * once.
 */
import { setMaxListeners } from 'node:events'
import type { Executor } from '@x/concurrent'
import { EXIT_INTERRUPTED } from './usage.js'

const controller = new AbortController()
// Every queued task listens to this one signal.
setMaxListeners(0, controller.signal)

/** Aborts on the first Ctrl-C; pass it to `submitWith({ signal })`. */
export const interrupted: AbortSignal = controller.signal

const executors = new Set<Executor>()

/** Registers an executor to be shut down on Ctrl-C, and returns it. */
export function track<E extends Executor>(executor: E): E {
  executors.add(executor)
  return executor
}

/** How long the pools get to stop after Ctrl-C before the process exits anyway. */
const GRACE_MS = 5000

/**
 * Stops everything: aborts {@link interrupted}, shuts down every tracked executor (cancelling
 * queued work, waiting for running tasks), then exits with `status`. With `quiet`, prints nothing
 * (the reader went away: stdout is a closed pipe).
 */
function stop(status: number, quiet: boolean): void {
  const log = (line: string): void => {
    if (!quiet) process.stderr.write(`${line}\n`)
  }
  controller.abort(new Error('interrupted by Ctrl-C (SIGINT)'))
  const grace = setTimeout(() => {
    log(`The pools did not stop within ${String(GRACE_MS / 1000)} s: exiting anyway`)
    process.exit(status)
  }, GRACE_MS)
  grace.unref()
  void Promise.allSettled([...executors].map((e) => e.shutdown({ wait: true, cancelFutures: true }))).then((outcomes) => {
    const failed = outcomes.filter((o) => o.status === 'rejected').length
    log(failed === 0 ? 'All executors shut down cleanly' : `${String(failed)} executor(s) failed to shut down`)
    process.exit(status)
  })
}

/**
 * Installs the handlers (once, from the entry point): Ctrl-C, and a closed stdout (`x-sample
 * hash . | head`), which ends the run quietly instead of crashing with EPIPE.
 */
export function handleInterrupts(): void {
  process.once('SIGINT', () => {
    process.once('SIGINT', () => {
      process.stderr.write('Interrupted again: exiting now\n')
      process.exit(EXIT_INTERRUPTED)
    })
    process.stderr.write(
      `\nInterrupted: cancelling queued tasks and shutting down ${String(executors.size)} executor(s) (Ctrl-C again to force)\n`,
    )
    stop(EXIT_INTERRUPTED, false)
  })
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') {
      if (!interrupted.aborted) stop(0, true)
    } else {
      throw error
    }
  })
}
