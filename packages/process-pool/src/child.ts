/**
 * The child process's code (internal), bundled with `@x/pool-kit` into `dist/bundle/child.cjs`
 * and run by the child's entry (child-entry.ts), which calls this module's `session` once;
 * from then on the child runs `@x/pool-kit/worker`'s runtime on the child's IPC channel (what
 * the parent sent before waits until the initializer ran), and writes each task's id into the
 * start marker just before running it (marker-writer.ts).
 *
 * @internal
 * @module
 */
import { serializeError } from '@x/future/runtime'
import { isPoolMessage } from '@x/pool-kit'
import type { FromWorker, ToWorker } from '@x/pool-kit'
import { WorkerRuntime } from '@x/pool-kit/worker'
import type { WorkerLink } from '@x/pool-kit/worker'
import { CODE_CACHE, SESSION_READY } from './protocol.js'
import type { CodeCacheOffer, SessionReady, SessionStart } from './protocol.js'
import { MarkerWriter } from './marker-writer.js'

let started = false

/**
 * Makes V8's code cache of this bundle, when the child's entry (child-entry.ts) ran it without
 * a cache it could use and the session asked for one: it passes the maker in as a parameter of
 * the bundle's wrapper. None else.
 */
declare const xChildCodeCache: (() => Uint8Array) | undefined
let makeCodeCache = typeof xChildCodeCache === 'function' ? xChildCodeCache : undefined

/**
 * The pool's messages, from when this module is loaded: those the parent sends before the session
 * has run the initializer wait here. (What it sent before it knew the child listens comes in
 * the session: tinypool-processes.ts.)
 */
let early: ToWorker[] | undefined = []
let receive = (message: ToWorker): void => {
  early?.push(message)
}
process.on('message', (message: unknown) => {
  if (isPoolMessage(message)) receive(message as ToWorker)
})

/**
 * Sends `message` to the parent. Just before the first result it sends the code cache, when this
 * child makes it: the cache then holds the functions that ran the first task, compiled (made
 * after the result, it could be lost to a pool that ends the child as soon as the result came).
 */
function send(message: FromWorker): void {
  if (makeCodeCache !== undefined && message.type === 'results') {
    const make = makeCodeCache
    makeCodeCache = undefined
    ;(process.send as (m: unknown) => boolean)({ type: CODE_CACHE, codeCache: make() } satisfies CodeCacheOffer)
  }
  ;(process.send as (m: unknown) => boolean)(message)
}

/**
 * tinypool's task: sets the child up, runs the pool's initializer, and reports the child ready
 * with a message ({@link SessionReady}); the child keeps serving the parent's messages until it is
 * ended. The task then ends by rejecting with {@link SESSION_READY}, which the parent ignores once
 * the message came: when a task resolves, tinypool's child entry reads `console._stdout` and
 * `console._stderr` (to wait for their writes), which makes the child create its stdout and
 * stderr streams (`node:net`'s socket and the stream classes: ~4.5M instructions, callgrind),
 * between the session and the first result; a rejected task skips that. A child whose tasks print
 * nothing now never makes them (issue 13, W5). (A task that never settles would do too, but keeps
 * tinypool's port to the child referenced: the parent process could not exit.)
 */
export async function session(start: SessionStart): Promise<never> {
  if (started) throw new Error('@x/process-pool: this child already runs a session')
  started = true
  const marker = new MarkerWriter(start.marker)
  const link: WorkerLink = {
    send,
    kind: 'process',
    label: start.label,
    maxWorkers: start.maxWorkers,
    peer: 'the parent process',
    poolNoun: 'process pool',
    serializationCode: 'ERR_PROCESS_POOL_SERIALIZATION',
  }
  const runtime = new WorkerRuntime(link, {
    diag: start.diag,
    beforeStart: (id) => {
      marker.write(id)
      return true
    },
  })
  // The parent is gone (killed, or exited without ending us): nobody can use our results, and
  // nobody will remove our start marker.
  process.on('disconnect', () => {
    marker.removeOrphaned()
    process.exit(0)
  })
  // A task called process.exit(): the results gathered so far still go (the write reaches the
  // pipe at once), so only the task that exited fails with the child.
  process.on('exit', () => {
    if (process.connected) runtime.flush()
  })
  // An error nobody catches (a throw in a timer, an unhandled rejection) ends the child as it
  // would end any Node process, but the parent learns what it was first.
  process.on('uncaughtException', onUncaught)
  const initError = await runtime.initialize(start.initializer)
  // (after a failed initializer nothing runs: the pool breaks and ends this child)
  if (initError !== undefined) return ready({ type: SESSION_READY, initError })
  // What came early starts now, before the child says it is ready: its result need not wait for
  // the parent's bookkeeping of that.
  const waiting = [...start.early, ...(early ?? [])]
  early = undefined
  receive = (message) => {
    runtime.receive(message)
  }
  for (const message of waiting) runtime.receive(message)
  return ready({ type: SESSION_READY })
}

/** Tells the parent the session is done, and ends the session's task (see {@link session}). */
function ready(message: SessionReady): Promise<never> {
  ;(process.send as (m: unknown) => boolean)(message)
  // (a string, not an Error: tinypool's child sends an Error's stack, which it would format first)
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- see above
  return Promise.reject(SESSION_READY)
}

function onUncaught(error: unknown): void {
  const exit = (): never => process.exit(1)
  setTimeout(exit, 1000).unref()
  try {
    ;(process.send as (m: unknown, cb: () => void) => boolean)({ type: 'crash', error: serializeError(error) } satisfies FromWorker, exit)
  } catch {
    exit()
  }
}
