/**
 * The child-process entry (internal). tinypool forks a child per pool slot and runs this
 * module's `session` export once; from then on the child runs `@x/pool-kit/worker`'s runtime on
 * the child's IPC channel, and writes each task's id into the start marker just before running
 * it (start-marker.ts).
 *
 * @internal
 * @module
 */
import { serializeError } from '@x/future'
import { isPoolMessage } from '@x/pool-kit'
import type { FromWorker, ToWorker } from '@x/pool-kit'
import { WorkerRuntime } from '@x/pool-kit/worker'
import type { WorkerLink } from '@x/pool-kit/worker'
import type { SessionReady, SessionStart } from './protocol.js'
import { MarkerWriter } from './start-marker.js'

let started = false

function send(message: FromWorker): void {
  ;(process.send as (m: unknown) => boolean)(message)
}

/**
 * tinypool's task: sets the child up, runs the pool's initializer, and reports the child ready.
 * It returns at once; the child keeps serving the parent's messages until it is ended.
 */
export async function session(start: SessionStart): Promise<SessionReady> {
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
  process.on('message', (message: unknown) => {
    if (isPoolMessage(message)) runtime.receive(message as ToWorker)
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
  return initError === undefined ? { pid: process.pid } : { pid: process.pid, initError }
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
