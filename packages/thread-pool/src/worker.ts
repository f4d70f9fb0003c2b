/**
 * The worker-thread entry (internal): the module every pool thread starts on (threads.ts). It
 * reads its session from `workerData`, runs the pool's initializer, then `@x/pool-kit/worker`'s
 * runtime on the port the pool handed over (where the pool may have sent the first task
 * already), claims each task's word just before running it (`ClaimWords.claimRun`: a task the
 * pool took back is skipped), and answers on `parentPort` once the initializer ran; the thread
 * keeps serving the port until the pool ends it. Loaded anywhere else (no session in its
 * `workerData`), it does nothing.
 *
 * @internal
 * @module
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads'
import { ClaimWords } from '@x/pool-kit'
import type { FromWorker } from '@x/pool-kit'
import { WorkerRuntime } from '@x/pool-kit/worker'
import type { WorkerLink } from '@x/pool-kit/worker'
import { SESSION_READY } from './protocol.js'
import type { SessionReady, SessionStart, ThreadData } from './protocol.js'
import { deliverToWorker, shortFromWorker, shortResult } from './short-messages.js'
import { setThreadName } from './state.js'

/** Sets the thread up, runs the pool's initializer, and says what came of it. */
async function session(start: SessionStart): Promise<SessionReady> {
  const port = start.port
  const claims = new ClaimWords(start.claims, undefined, start.starts)
  const timeOrigin = performance.timeOrigin
  const link: WorkerLink = {
    send: (message: FromWorker) => {
      port.postMessage(shortFromWorker(message))
    },
    sendResult: (id, value, meanMs) => {
      port.postMessage(shortResult(id, value, meanMs))
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
  if (initError !== undefined) return { type: SESSION_READY, initError }
  // The pool may have sent the first task before this session began: it waited in the port until
  // now (after the initializer, which runs before any task). It starts here, before the reply:
  // its result need not wait for the pool's handling of the reply.
  const receive = (message: unknown): void => {
    deliverToWorker(message, runtime)
  }
  for (let entry = receiveMessageOnPort(port); entry !== undefined; entry = receiveMessageOnPort(port)) receive(entry.message)
  port.on('message', receive)
  return { type: SESSION_READY }
}

const data = workerData as ThreadData | undefined
if (parentPort !== null && typeof data?.session === 'object') {
  const reply = parentPort
  setThreadName(data.threadName)
  void session(data.session).then((ready) => {
    reply.postMessage(ready)
  })
}
