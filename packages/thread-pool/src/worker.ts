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
import type { MessagePort } from 'node:worker_threads'
import { ClaimWords } from '@x/pool-kit'
import type { FromWorker } from '@x/pool-kit'
import { WorkerRuntime, monotonicMs } from '@x/pool-kit/worker'
import type { WorkerLink } from '@x/pool-kit/worker'
import { CODE_CACHE, SESSION_READY } from './protocol.js'
import type { CodeCacheOffer, SessionReady, SessionStart, ThreadData } from './protocol.js'
import { deliverToWorker, isLargeCall, isShortCall, shortFromWorker, shortResult } from './short-messages.js'
import { setThreadName } from './state.js'

/**
 * Makes V8's code cache of this bundle, when the thread's entry (thread-entry.cts) ran it without
 * a cache it could use: it passes the maker in as a parameter of the bundle's wrapper. None else.
 */
declare const xThreadCodeCache: (() => Uint8Array) | undefined

/**
 * The thread's guarded `require` (thread-entry.cts, load-guard.ts), passed in as a parameter of the
 * bundle's wrapper when the thread may load task modules with it; else none (they are imported).
 */
declare const xThreadRequire: ((id: string) => unknown) | undefined

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
    // (`at`: the runtime's clock, the monotonic one every thread reads, as claims keep it)
    beforeStart: (_id, slot, ticket, at) => claims.claimRun(slot, ticket, at),
    reportStarts: true,
    require: typeof xThreadRequire === 'function' ? xThreadRequire : undefined,
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
  port.on('message', (message: unknown) => {
    receive(message)
    if (isShortCall(message) && runtime.idle) awaitNext(port, receive, runtime, message)
  })
  return { type: SESSION_READY }
}

/**
 * How long an idle thread looks for its next message itself after its last answer (ms): longer
 * than the caller's side of a round trip on a quiet machine (its own wake from a halted vCPU and
 * its path from result to next call, V8's unoptimized tiers included).
 */
const NEXT_CALL_MS = 0.1
/** The most messages it takes that way before it lets its event loop turn (timers, I/O, ticks). */
const NEXT_CALL_MAX = 16

/**
 * The thread has answered a lone call (a short `run`: the pool had nothing else for it) and
 * everything before it: it looks for the next message itself for a moment, and runs what comes
 * as the event would. The next call of a caller that awaits each result comes within
 * microseconds; a thread that went back to its event loop sleeps, and on a machine whose idle
 * vCPUs halt, waking it is the round trip's largest cost (issue 13, W2:
 * `apps/bench/src/w2-tail-probe.mjs`, two threads on two vCPUs: p50 30.5-31.7 µs without,
 * 5.9-17.8 µs with a 50 µs look). Not after a batch: a pool with more work than threads sends
 * batches, and a thread spinning then would take CPU from the main thread that fills them.
 * Bounded: at most {@link NEXT_CALL_MAX} messages, each within {@link NEXT_CALL_MS} of the last
 * answer, then the event loop turns; a batch, or a task that did not answer at once (a promise),
 * ends it. Like calls of one batch run back to back (runtime.ts), the microtasks a synchronous
 * task queued run after the calls taken here.
 *
 * After a call with large arguments (`answered` is a large call, {@link isLargeCall}) it takes
 * only a message already there, without waiting: the next call is at least another large copy
 * away (the caller's own, or the pool's byte budget holding it until a result frees room),
 * longer than the look, and a thread looking meanwhile only takes CPU from the main thread making
 * that copy (issue 13, W6: 200 calls of 1 MiB on two threads, burst 1, the process's CPU per MiB
 * 699 -> 599 µs, the threads' 390 -> 367, V8's other threads' 101 -> 24, `apps/bench/src/w6-cpu.mjs`).
 */
function awaitNext(port: MessagePort, receive: (message: unknown) => void, runtime: WorkerRuntime, answered: unknown): void {
  let last = answered
  for (let taken = 0; taken < NEXT_CALL_MAX; taken++) {
    let entry = receiveMessageOnPort(port)
    if (entry === undefined && !isLargeCall(last)) {
      const until = monotonicMs() + NEXT_CALL_MS
      while (entry === undefined && monotonicMs() < until) entry = receiveMessageOnPort(port)
    }
    if (entry === undefined) return
    last = entry.message
    receive(last)
    if (!isShortCall(last) || !runtime.idle) return
  }
}

const data = workerData as ThreadData | undefined
if (parentPort !== null && typeof data?.session === 'object') {
  const reply = parentPort
  setThreadName(data.threadName)
  void session(data.session, reply, data.cacheClaim).then((ready) => {
    reply.postMessage(ready)
  })
}
