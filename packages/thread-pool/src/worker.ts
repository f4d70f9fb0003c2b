/**
 * The worker-thread entry (internal): the module tinypool loads in every worker thread. Its
 * `session` export is the tinypool task that sets the thread up: it runs the pool's initializer,
 * then `@x/pool-kit/worker`'s runtime on the port the pool handed over (where the pool may have
 * sent the first task already), claims each task's word just before running it
 * (`ClaimWords.claimRun`: a task the pool took back is skipped), and returns; the thread keeps
 * serving the port until the pool ends it.
 *
 * @internal
 * @module
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads'
import { ClaimWords, isPoolMessage } from '@x/pool-kit'
import type { FromWorker } from '@x/pool-kit'
import { WorkerRuntime } from '@x/pool-kit/worker'
import type { WorkerLink } from '@x/pool-kit/worker'
import type { TinypoolData } from 'tinypool'
import type { SessionReady, SessionStart, ThreadData } from './protocol.js'
import { fromShortToWorker, shortFromWorker } from './short-messages.js'
import { setThreadName } from './state.js'

// tinypool passes every thread `[TinypoolPrivateData, our workerData]` (its public `TinypoolData`).
const data = (Array.isArray(workerData) ? workerData : undefined) as TinypoolData | undefined
setThreadName((data?.[1] as ThreadData | undefined)?.threadName ?? 'ThreadPoolExecutor_0')

let started = false

/**
 * tinypool's task: sets the thread up, runs the pool's initializer, and reports the thread ready.
 * It returns at once; the thread serves the pool's messages until it is ended.
 */
export async function session(start: SessionStart): Promise<SessionReady> {
  if (started) throw new Error('@x/thread-pool: this thread already runs a session')
  started = true
  const port = start.port
  const claims = new ClaimWords(start.claims, undefined, start.starts)
  const timeOrigin = performance.timeOrigin
  const link: WorkerLink = {
    send: (message: FromWorker) => {
      port.postMessage(shortFromWorker(message))
    },
    kind: 'thread',
    label: start.label,
    maxWorkers: start.maxWorkers,
    peer: 'the main thread',
    resultRoute: 'from the worker to the main thread',
    poolNoun: 'thread pool',
    serializationCode: 'ERR_SERIALIZATION',
  }
  const runtime = new WorkerRuntime(link, {
    diag: start.diag,
    // (the start time on the clock every thread reads: this thread's timeOrigin plus its reading)
    beforeStart: (_id, slot, ticket, at) => claims.claimRun(slot, ticket, timeOrigin + at),
    reportStarts: true,
  })
  // A task called process.exit(): the results gathered so far still go, so only that task fails.
  process.on('exit', () => {
    runtime.flush()
  })
  const initError = await runtime.initialize(start.initializer)
  if (initError !== undefined) return { initError }
  // The pool may have sent the first task before this session began: it waited in the port until
  // now (after the initializer, which runs before any task). It starts here, before this returns:
  // its result need not wait for tinypool's bookkeeping of the session's end.
  const receive = (message: unknown): void => {
    const full = fromShortToWorker(message)
    if (isPoolMessage(full)) runtime.receive(full)
  }
  for (let entry = receiveMessageOnPort(port); entry !== undefined; entry = receiveMessageOnPort(port)) receive(entry.message)
  port.on('message', receive)
  return {}
}
