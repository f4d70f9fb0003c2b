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
import { CODE_CACHE, SESSION_READY } from './protocol.js'
import type { CodeCacheOffer, SessionReady, SessionStart, ThreadData } from './protocol.js'
import { deliverToWorker, shortFromWorker, shortResult } from './short-messages.js'
import { setThreadName } from './state.js'

/**
 * Makes V8's code cache of this bundle, when the thread's entry (thread-entry.cts) ran it without
 * a cache it could use: it passes the maker in as a parameter of the bundle's wrapper. None else.
 */
declare const xThreadCodeCache: (() => Uint8Array) | undefined

/**
 * Sets the thread up, runs the pool's initializer, and says what came of it. Just before its first
 * result the thread sends the pool the code cache, when it makes one (the first to get there of the
 * threads started without a cache, `cacheClaim`): the cache then holds the
 * functions that ran the first task, compiled (made after the result, it could be lost to a
 * pool that ends the thread as soon as the result came, as W5 does).
 */
async function session(start: SessionStart, reply: NonNullable<typeof parentPort>, cacheClaim: Int32Array | undefined): Promise<SessionReady> {
  const port = start.port
  let makeCodeCache = typeof xThreadCodeCache === 'function' ? xThreadCodeCache : undefined
  const claims = new ClaimWords(start.claims, undefined, start.starts)
  const timeOrigin = performance.timeOrigin
  const link: WorkerLink = {
    send: (message: FromWorker) => {
      port.postMessage(shortFromWorker(message))
    },
    sendResult: (id, value, meanMs) => {
      if (makeCodeCache !== undefined) {
        const make = makeCodeCache
        makeCodeCache = undefined
        // (one thread of those started without a cache makes it: the first to get here)
        if (cacheClaim === undefined || Atomics.compareExchange(cacheClaim, 0, 0, 1) === 0) {
          // (copied to the pool, not transferred: a Buffer may share its memory with others)
          const offer: CodeCacheOffer = { type: CODE_CACHE, codeCache: make() }
          reply.postMessage(offer)
        }
      }
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
  void session(data.session, reply, data.cacheClaim).then((ready) => {
    reply.postMessage(ready)
  })
}
