/**
 * The thread pool's transport: how a worker thread starts, talks and dies. Each worker is a
 * `node:worker_threads` `Worker` started on this package's own entry (`dist/thread-entry.cjs`,
 * which runs `src/worker.ts` bundled with `@x/pool-kit` by the build, `dist/bundle/worker.cjs`,
 * with V8's code cache that the process's first thread made), with its session (protocol.ts) and a
 * `MessagePort` of the pool's own in its `workerData`. The port is open from the start: the
 * engine sends the first task as the thread starts, and the thread runs it after its initializer
 * (the session's reply, on the thread's `parentPort`, is not on the way to the first result).
 *
 * Why not through tinypool (the project's worker engine, which the process pool still uses):
 * tinypool 2.2.0 starts every thread on its own entry (`tinypool/dist/entry/worker.js`, four ES
 * modules, then an `import()` of ours), fixed in its code, and its public API has no way to name
 * another. Loading that entry costs a fresh thread ~4-6 ms CPU of the ~30 ms it takes to reach its
 * first task, which alone puts W5 (start a pool, one result, shut down) out of reach of piscina's
 * time: tinypool's own W5 is slower than piscina's. The thread pool never used tinypool's task
 * dispatch (the pool sends its work over its own port), only its thread start, and worked around
 * four of its defects there (a `process.exit()` in a thread went unnoticed, an uncaught error came
 * as a pool `'error'` event, a thread dying while starting left its session queued forever, its
 * idle timer and its `Atomics.wait` loop had to be disabled); a `Worker` of our own needs none.
 *
 * @internal
 * @module
 */
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads'
import type { MessagePort, ResourceLimits } from 'node:worker_threads'
import { runtimeCoreUrl } from '@x/pool-kit'
import type { Transport, WorkerEvents } from '@x/pool-kit'
import { ENDED, afterLoads, newLoadGuard, settleLoadsAtExit } from './load-guard.js'
import { isCodeCacheOffer, isSessionReady } from './protocol.js'
import type { SessionStart, ThreadData } from './protocol.js'
import { deliverFromWorker, shortCall, shortToWorker } from './short-messages.js'

// The thread's entry (thread-entry.cts): it runs the worker bundled with @x/pool-kit by the
// package build (scripts/bundle.mjs), so a fresh thread loads one file for it instead of one per
// module, compiled with V8's code cache.
const ENTRY = new URL('./thread-entry.cjs', import.meta.url)
/** The package the entry imports at load (linked by the build: `--link`). */
const RUNTIME = '@x/future/runtime'
let links: Record<string, string> | undefined
/** V8's code cache of the bundled worker, made by a thread of this process (thread-entry.cts). */
let codeCache: Uint8Array | undefined
/** The load guards of this process's live threads (load-guard.ts), settled at its exit. */
const guards = new Set<Int32Array>()
let exitListener = false
/** The word a thread started without a cache claims to make it ({@link ThreadData}'s `cacheClaim`). */
let cacheClaim: Int32Array | undefined

/**
 * Where `@x/future/runtime` is, resolved once in this process and handed to every thread: a fresh
 * thread resolving the specifier itself spends ~1 ms CPU in Node's resolver (package.json reads),
 * a tenth of what it takes to reach its first task. Nothing when it cannot be resolved here (the
 * thread resolves it then).
 *
 * The URL handed over is that of the entry's core when there is one (`@x/pool-kit`'s
 * `runtimeCoreUrl`).
 */
function runtimeLinks(): Record<string, string> {
  if (links === undefined) {
    links = {}
    try {
      links[RUNTIME] = runtimeCoreUrl(import.meta.resolve(RUNTIME))
    } catch {
      // the thread resolves it itself
    }
  }
  return links
}

/** The pool's handle on one worker thread. */
export interface ThreadHandle {
  readonly port: MessagePort
  thread: Worker | undefined
  alive: boolean
  /** Being ended (stop, kill): it keeps the process alive until it has exited. */
  ending: boolean
  /** The uncaught error that ended it (its `'error'` event). */
  crash: unknown
  /** Its load guard (load-guard.ts): it is terminated only outside a `require()`. */
  readonly guard: Int32Array | undefined
}

/** What every thread of one pool is started with. */
export interface ThreadSettings {
  readonly threadNamePrefix: string
  readonly resourceLimits: ResourceLimits | undefined
  readonly execArgv: string[] | undefined
  /** The session start message, less the port. */
  session(workerId: number): Omit<SessionStart, 'port'>
}

/**
 * Ends a thread. It keeps the process alive until it has exited (it was unreferenced once
 * started): else a script whose last step is `await pool.shutdown()` could see its event loop
 * empty before the thread's 'exit', and end with exit code 13 (an unsettled top-level await).
 */
function end(handle: ThreadHandle): void {
  if (!handle.alive) return
  handle.ending = true
  handle.thread?.ref()
  terminate(handle)
}

/** Terminates the thread, once no `require()` of a module is under way in it (load-guard.ts). */
function terminate(handle: ThreadHandle): void {
  afterLoads(handle.guard, () => {
    void handle.thread?.terminate()
  })
}

/** The transport of a {@link ThreadPoolExecutor}. */
export function threadTransport(settings: ThreadSettings): Transport<ThreadHandle> {
  return {
    start(workerId: number, events: WorkerEvents): ThreadHandle {
      const { port1, port2 } = new MessageChannel()
      const guard = newLoadGuard()
      const handle: ThreadHandle = { port: port1, thread: undefined, alive: true, ending: false, crash: undefined, guard }
      if (guard !== undefined) {
        guards.add(guard)
        if (!exitListener) {
          exitListener = true
          process.on('exit', () => {
            settleLoadsAtExit(guards)
          })
        }
      }
      const deliver = (message: unknown): void => {
        deliverFromWorker(message, events)
      }
      port1.on('message', deliver)
      port1.unref() // referenced while the thread has work (ref())
      const gone = (exitCode: number | undefined): void => {
        if (!handle.alive) return
        handle.alive = false
        if (guard !== undefined) {
          guards.delete(guard)
          // (a thread that died inside a require(): whoever waits for it to end the require() need not)
          Atomics.store(guard, 0, ENDED)
          Atomics.notify(guard, 0)
        }
        // what the thread sent before it died comes first
        for (let entry = receiveMessageOnPort(port1); entry !== undefined; entry = receiveMessageOnPort(port1)) deliver(entry.message)
        port1.close()
        // (a thread that claimed the cache sent it before it exited, and it came first: a claim
        // with no cache here is free again, for a later thread to make it)
        if (codeCache === undefined && cacheClaim !== undefined) Atomics.store(cacheClaim, 0, 0)
        events.exit(exitCode, undefined, handle.crash)
      }
      const data: ThreadData = {
        threadName: `${settings.threadNamePrefix}_${String(workerId - 1)}`,
        session: { ...settings.session(workerId), port: port2 },
        links: runtimeLinks(),
        ...(guard === undefined ? {} : { loadGuard: guard.buffer as SharedArrayBuffer }),
        ...(codeCache === undefined ? { cacheClaim: (cacheClaim ??= new Int32Array(new SharedArrayBuffer(4))) } : { codeCache }),
      }
      let thread: Worker
      try {
        thread = new Worker(ENTRY, {
          workerData: data,
          transferList: [port2],
          resourceLimits: settings.resourceLimits,
          ...(settings.execArgv === undefined ? {} : { execArgv: settings.execArgv }),
        })
      } catch (error) {
        // new Worker() throws on an execArgv Node refuses: a thread that failed to start (the
        // engine retries with a backoff), reported after start() returned
        handle.crash = error
        queueMicrotask(() => {
          gone(1)
        })
        return handle
      }
      handle.thread = thread
      // The port takes messages now: the first task waits in it while the thread starts.
      events.open()
      thread.on('error', (error: unknown) => {
        handle.crash ??= error
      })
      thread.on('exit', (code: number) => {
        gone(code)
      })
      // The session's reply; until it comes the starting thread keeps the process alive (it runs
      // the initializer), then only the port does, while the thread has work.
      // (and the code cache it may send before its first result, until the thread is gone)
      const onReply = (reply: unknown): void => {
        if (isCodeCacheOffer(reply)) codeCache = reply.codeCache
        if (!isSessionReady(reply)) return // (a task's own parentPort messages are not ours)
        // (a thread being ended stays referenced: its reply may come after the pool, done with
        // the first result, asked it to stop)
        if (!handle.ending) thread.unref()
        if (handle.alive) events.ready(reply.initError)
      }
      thread.on('message', onReply)
      return handle
    },
    send(handle, message, transfer) {
      handle.port.postMessage(shortToWorker(message), transfer as never)
    },
    sendCall(handle, id, specId, name, slot, ticket, args, diag, transfer, large) {
      handle.port.postMessage(shortCall(id, specId, name, slot, ticket, args, diag, large), transfer as never)
    },
    kill(handle) {
      end(handle)
    },
    stop(handle) {
      end(handle)
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
      terminate(handle)
    },
  }
}
