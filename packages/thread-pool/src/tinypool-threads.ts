/**
 * The thread pool's transport: how a worker thread starts, talks and dies. tinypool is the worker
 * engine, used through its public API only (`new Tinypool()`, `run()` with a `transferList`, the
 * `threads` getter's `TinypoolWorker`s and their events, `destroy()`): one single-thread tinypool
 * per worker, whose `session` task (worker.ts) hands the thread a `MessagePort` and returns once
 * the initializer ran; from then on the pool and the thread talk over that port. The port is open
 * from the start: the engine sends the first task as the thread starts, and the thread runs it
 * after its initializer (the session reply is not on the way to the first result).
 *
 * Where tinypool 2.2.0 cannot meet a need through its public API, this file says which and uses
 * Node's own primitives for that piece (each has a test in test/workers.test.ts):
 * 1. It does not notice a thread that exits without an uncaught error (`process.exit()` in a
 *    task, `terminate()`), and it reports an uncaught error only as a pool `'error'` event: the
 *    exit code and the error come from the thread's own `'exit'` and `'error'` events
 *    (`TinypoolWorker.on`), and the messages the thread sent before it died are taken from the
 *    port with `receiveMessageOnPort` first.
 * 2. It keeps the session task queued forever when its thread dies while starting, and
 *    `new Worker()` may throw inside `run()` (an `execArgv` Node refuses): both are a thread that
 *    failed to start, reported as its exit (the engine retries with a backoff).
 * 3. It holds the event loop while a task runs: the session task returns at once, and the pool
 *    references its end of the port only while the thread has work, so an idle pool never keeps
 *    the process alive.
 * 4. It would end an idle thread on its own (`idleTimeout`): it gets the longest timer, and the
 *    engine ends idle threads itself (it knows which are idle; tinypool cannot see our tasks).
 *
 * @internal
 * @module
 */
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads'
import type { MessagePort, ResourceLimits } from 'node:worker_threads'
import Tinypool from 'tinypool'
import type { TinypoolWorker } from 'tinypool'
import { isPoolMessage } from '@x/pool-kit'
import type { Transport, WorkerEvents } from '@x/pool-kit'
import type { SessionReady, SessionStart, ThreadData } from './protocol.js'
import { fromShortFromWorker, shortToWorker } from './short-messages.js'

// The worker entry bundled with @x/pool-kit by the package build (scripts/bundle.mjs): a fresh
// thread loads one file for it instead of one per module.
const ENTRY = new URL('./bundle/worker.js', import.meta.url).href
const MAX_TIMER = 2 ** 31 - 1

/** The pool's handle on one worker thread. */
export interface ThreadHandle {
  readonly pool: Tinypool
  readonly port: MessagePort
  thread: TinypoolWorker | undefined
  alive: boolean
  /** The uncaught error that ended it (its `'error'` event). */
  crash: unknown
}

/** What every thread of one pool is started with. */
export interface ThreadSettings {
  readonly threadNamePrefix: string
  readonly resourceLimits: ResourceLimits | undefined
  readonly execArgv: string[] | undefined
  /** The session start message, less the port. */
  session(workerId: number): Omit<SessionStart, 'port'>
}

/** The transport of a {@link ThreadPoolExecutor}. */
export function threadTransport(settings: ThreadSettings): Transport<ThreadHandle> {
  return {
    start(workerId: number, events: WorkerEvents): ThreadHandle {
      const pool = new Tinypool({
        filename: ENTRY,
        name: 'session',
        minThreads: 0,
        maxThreads: 1,
        idleTimeout: MAX_TIMER, // workaround 4
        useAtomics: false, // the thread's event loop must keep running between tasks (its port)
        resourceLimits: settings.resourceLimits,
        ...(settings.execArgv === undefined ? {} : { execArgv: settings.execArgv }),
        workerData: { threadName: `${settings.threadNamePrefix}_${String(workerId - 1)}` } satisfies ThreadData,
      })
      // workaround 1: the thread's own events say what happened; an unhandled 'error' would crash us
      pool.on('error', () => undefined)
      const { port1, port2 } = new MessageChannel()
      const handle: ThreadHandle = { pool, port: port1, thread: undefined, alive: true, crash: undefined }
      const deliver = (message: unknown): void => {
        const full = fromShortFromWorker(message)
        if (isPoolMessage(full)) events.message(full)
      }
      port1.on('message', deliver)
      port1.unref() // workaround 3: referenced while the thread has work
      const gone = (exitCode: number | undefined): void => {
        if (!handle.alive) return
        handle.alive = false
        // workaround 1: what the thread sent before it died comes first
        for (let entry = receiveMessageOnPort(port1); entry !== undefined; entry = receiveMessageOnPort(port1)) deliver(entry.message)
        port1.close()
        events.exit(exitCode, undefined, handle.crash)
      }
      let ready: Promise<SessionReady>
      try {
        ready = pool.run({ ...settings.session(workerId), port: port2 } satisfies SessionStart, { transferList: [port2] as never }) as Promise<SessionReady>
        handle.thread = pool.threads[0]
      } catch (error) {
        ready = Promise.reject(error instanceof Error ? error : new Error(String(error)))
      }
      const thread = handle.thread
      if (thread === undefined) {
        // workaround 2: new Worker() threw (or no thread came up): a thread that failed to start
        void ready.catch((error: unknown) => {
          handle.crash ??= error
          void pool.destroy().catch(() => undefined)
          gone(1)
        })
        return handle
      }
      // The port takes messages now: the first task waits in it while the thread starts.
      events.open()
      thread.on('error', (error: unknown) => {
        handle.crash ??= error
      })
      thread.on('exit', (code: number) => {
        gone(code)
      })
      ready.then(
        (result) => {
          if (handle.alive) events.ready(result.initError)
        },
        () => {
          // workaround 2: the exit event reports the death
        },
      )
      return handle
    },
    send(handle, message, transfer) {
      handle.port.postMessage(shortToWorker(message), transfer as never)
    },
    kill(handle) {
      if (handle.alive) void handle.thread?.terminate()
    },
    stop(handle) {
      void handle.pool.destroy().catch(() => undefined)
    },
    ref(handle, referenced) {
      if (!handle.alive) return
      if (referenced) handle.port.ref()
      else handle.port.unref()
    },
    pid: () => undefined,
    startedAt: () => undefined,
    release(handle) {
      handle.port.close()
      void handle.pool.destroy().catch(() => undefined)
    },
  }
}
