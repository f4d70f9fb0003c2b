/**
 * The process pool's transport: how a child starts, talks and dies. tinypool's `child_process`
 * runtime is the worker engine, used through its public API only (`new Tinypool()`, `run()`
 * with a `channel`, the `threads` getter's `TinypoolWorker`s, `destroy()`): one single-slot
 * tinypool per child, whose one `session` task sets the child up; from then on the
 * parent and the child talk over the child's IPC channel (tinypool's `channel`).
 *
 * Where tinypool 2.2.0 cannot meet a need through its public API, this file says which and
 * uses Node's own primitives for that piece (each has a test in test/tinypool-workarounds.test.ts):
 * 1. It reports every child exit as a bare `'Worker exited unexpectedly'` error: the exit code
 *    and the signal come from `TinypoolWorker.once('exit')` (the child's own event), and the
 *    parent waits for `'close'` so every message the child sent before dying is handled first.
 * 2. It leaves the `session` task pending forever when a child dies while starting: the death
 *    is taken from the exit event, never from the task.
 * 3. It has no way to send a signal other than its own SIGTERM-then-SIGKILL `terminate()`:
 *    `terminateWorkers()`, `killWorkers()` and the abort grace period use `process.kill(pid)`,
 *    with the pid its `TinypoolWorker.threadId` carries for child processes.
 * 4. It replaces the child's environment with `env` (no PATH) and defaults to JSON: the pool
 *    passes the parent's environment merged with the `env` option, and `serialization: 'advanced'`.
 * 5. tinypool would end an idle child on its own (`idleTimeout`): it gets the longest timer, and
 *    the pool ends idle children itself (it knows which are idle; tinypool cannot see our tasks).
 * 6. It holds a task for a child it starts in `run()` until the child has loaded the entry and
 *    said so: a round trip between the two processes before the child's first task (each hop
 *    waits for a CPU on a loaded machine). A child it starts in its constructor (`minThreads`)
 *    counts as ready at once, so the pool starts its one child there, and sets `minThreads` back
 *    to 0 right after (through the `options` getter), so tinypool never starts a child of its own
 *    when that one dies. The session then leaves with tinypool's start message, and carries what
 *    the pool sent before it (the first task): the child may not listen yet. Messages after it
 *    wait in the parent until the child has spoken (its entry listens by then).
 * 7. When a task resolves, its child entry reads `console._stdout` and `console._stderr`, which
 *    makes the child create its stdio streams (~4.5M instructions before the child's first result).
 *    The session says the child is ready with a message on the channel, and its task then rejects
 *    (a rejected task's result skips those reads), which the parent ignores after that message.
 *
 * @internal
 * @module
 */
import Tinypool from 'tinypool'
import type { TinypoolWorker } from 'tinypool'
import { isPoolMessage, runtimeCoreUrl } from '@x/pool-kit'
import type { FromWorker, ToWorker, Transport, WorkerEvents, WorkItem } from '@x/pool-kit'
import { isCodeCacheOffer, isSessionReady } from './protocol.js'
import type { SessionStart } from './protocol.js'
import { createMarker, readMarker, removeMarker } from './start-marker.js'

// The child's entry (child-entry.ts): it runs the child's code bundled with @x/pool-kit by the
// package build (scripts/bundle.mjs `--cjs`: a fresh child loads one file for it instead of one
// per module) with the code cache below.
const CHILD_ENTRY = new URL('./child-entry.js', import.meta.url).href
/** The bundled child the entry compiles (its session names it). */
const CHILD_BUNDLE = process.getBuiltinModule('node:url').fileURLToPath(new URL('./bundle/child.cjs', import.meta.url))
/** The package the entry imports at load (linked by the build: `--link`). */
const RUNTIME = '@x/future/runtime'
let childArgv: string[] | undefined
/** V8's code cache of the bundled child, made by a child of this process (child-entry.ts). */
let codeCache: Uint8Array | undefined
/** A child that was asked to make it and has not said yet. */
let cacheMaker: ChildHandle | undefined
const MAX_TIMER = 2 ** 31 - 1
/** How long the parent waits for a dead child's pipes to drain before it gives up on them (ms). */
const CLOSE_WAIT_MS = 1000

/** The pool's handle on one child. */
export interface ChildHandle {
  readonly pool: Tinypool
  readonly worker: TinypoolWorker
  readonly pid: number
  readonly marker: string
  send: (message: ToWorker) => void
  alive: boolean
  /** The child said its session is done (workaround 7). */
  ready: boolean
  /** stop() or release() destroyed its tinypool (the session may not have left yet). */
  ended: boolean
}

/** What every child of one pool is started with. */
export interface ChildSettings {
  readonly env: Record<string, string>
  readonly execArgv: string[]
  /** The session start message, less what differs per child. */
  session(workerId: number, marker: string): Omit<SessionStart, 'early' | 'bundle'>
}

/** The transport of a {@link ProcessPoolExecutor}. */
export function processTransport(settings: ChildSettings): Transport<ChildHandle> {
  return {
    start(workerId: number, events: WorkerEvents): ChildHandle {
      const marker = createMarker()
      const pool = new Tinypool({
        runtime: 'child_process',
        filename: CHILD_ENTRY,
        name: 'session',
        minThreads: 1, // workaround 6
        maxThreads: 1,
        idleTimeout: MAX_TIMER, // workaround 5
        serialization: 'advanced', // workaround 4
        env: settings.env,
        execArgv: settings.execArgv,
        argv: links(),
      })
      pool.options.minThreads = 0 // workaround 6
      // workaround 1: an unhandled 'error' event would crash the parent, and says nothing
      pool.on('error', () => undefined)
      const worker = pool.threads[0]
      if (worker === undefined) {
        // not expected with tinypool 2.2.0 (it forks synchronously in its constructor)
        void pool.destroy().catch(() => undefined)
        removeMarker(marker)
        throw new Error('tinypool did not start a child process')
      }
      // workaround 6: what the pool sends before the session leaves goes with it; what it sends
      // after waits here until the child has spoken (then its entry listens)
      let early: ToWorker[] | undefined = []
      let send: ((message: ToWorker) => void) | undefined
      const listening = (): void => {
        if (early === undefined || send === undefined) return
        const waiting = early
        early = undefined
        for (const message of waiting) send(message)
      }
      const handle: ChildHandle = {
        pool,
        worker,
        pid: worker.threadId, // the child's pid for the child_process runtime
        marker,
        send: (message) => {
          if (early !== undefined) early.push(message)
          else (send as (message: ToWorker) => void)(message)
        },
        alive: true,
        ready: false,
        ended: false,
      }
      worker.once('exit', (code: number | null, signal: NodeJS.Signals | null) => {
        handle.alive = false
        // (a child that died before its first result made no cache: the next one to start will)
        if (cacheMaker === handle) cacheMaker = undefined
        // workaround 1: the messages the child sent before dying arrive first ('close' comes after the pipes drain)
        let reported = false
        const report = (): void => {
          if (reported) return
          reported = true
          clearTimeout(timer)
          events.exit(code ?? undefined, signal ?? undefined)
        }
        const timer = setTimeout(report, CLOSE_WAIT_MS)
        worker.once('close', report)
      })
      const startSession = (): void => {
        if (handle.ended) return
        const sent = early ?? []
        early = []
        const makeCodeCache = codeCache === undefined && cacheMaker === undefined
        if (makeCodeCache) cacheMaker = handle
        const sessionTask = pool.run(
          { ...settings.session(workerId, marker), bundle: CHILD_BUNDLE, early: sent, ...(codeCache === undefined ? { makeCodeCache } : { codeCache }) },
          {
            channel: {
              onMessage: (callback: (message: ToWorker) => void) => {
                send = callback
              },
              postMessage: (message: unknown) => {
                listening()
                if (isSessionReady(message)) {
                  handle.ready = true
                  events.ready(message.initError)
                } else if (isCodeCacheOffer(message)) {
                  codeCache ??= message.codeCache
                  if (cacheMaker === handle) cacheMaker = undefined
                } else if (isPoolMessage(message)) events.message(message as FromWorker)
              },
            },
          },
        )
        // workaround 7: the session says it is ready with a message, then its task rejects
        sessionTask.catch(() => {
          if (handle.ready) return
          // workaround 2: the session failed; the exit event reports the death. Make sure there is one.
          if (handle.alive) kill(handle, 'SIGKILL')
        })
      }
      // The engine sends a starting worker its first task once it is open, from a microtask the
      // open queues: the session leaves after it, and takes it along.
      queueMicrotask(() => {
        events.open()
        queueMicrotask(startSession)
      })
      return handle
    },
    send(handle, message) {
      handle.send(message)
    },
    kill,
    stop(handle) {
      handle.ended = true
      void handle.pool.destroy().catch(() => undefined)
    },
    ref(handle, referenced) {
      if (referenced) handle.worker.ref?.()
      else handle.worker.unref?.()
    },
    pid(handle) {
      return handle.pid
    },
    startedAt(handle, held: readonly WorkItem[]) {
      const id = readMarker(handle.marker)
      return id === 0 ? -1 : held.findIndex((item) => item.future.id === id)
    },
    release(handle) {
      handle.ended = true
      removeMarker(handle.marker)
      void handle.pool.destroy().catch(() => undefined)
    },
  }
}

/**
 * The child's arguments: where `@x/future/runtime` is, resolved once in this process (a fresh
 * child resolving the specifier itself spends ~6M instructions in Node's resolver, 4% of its
 * start). None when it cannot be resolved here (the child resolves it then).
 */
function links(): string[] {
  if (childArgv === undefined) {
    childArgv = []
    try {
      childArgv.push(`--x-link=${RUNTIME}=${runtimeCoreUrl(import.meta.resolve(RUNTIME))}`)
    } catch {
      // the child resolves it itself
    }
  }
  return childArgv
}

/** workaround 3: a signal to the child itself. */
function kill(handle: ChildHandle, signal: 'SIGTERM' | 'SIGKILL'): void {
  if (!handle.alive) return
  try {
    process.kill(handle.pid, signal)
  } catch {
    // already gone: its exit event is on its way
  }
}
