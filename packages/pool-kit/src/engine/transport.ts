/**
 * What a pool plugs into the engine: how a worker starts, talks and dies (its transport), and
 * how its errors are worded. The engine owns everything else: the queue, future states, sending
 * work ahead, cancel, recovery, nested work, forwarded waits, events, shutdown.
 *
 * @module
 */
import type { Transferable } from 'node:worker_threads'
import type { Future } from '@x/future'
import type { WorkerDiedError } from '../errors.js'
import type { FromWorker, ToWorker } from '../protocol.js'
import type { WorkItem } from '../work-item.js'

/**
 * What the engine hands a transport when it starts a worker; the transport calls these as
 * things happen, in this order: `open` at most once, then any `message`s, `ready` once (unless it
 * died first; results of work sent after `open` may come before it), `exit` once.
 * @since 0.1.0
 */
export interface WorkerEvents {
  /** A message from the worker. */
  message(message: FromWorker): void
  /**
   * The result of one call that returned, `meanMs` how long it ran: what a `results` message
   * holding only it says, without the message (a transport whose wire has a short form for it
   * saves making one). A transport may as well pass every message to `message`.
   */
  result(id: number, value: unknown, meanMs: number): void
  /**
   * The worker takes messages from now on, before it is `ready`: it runs what it is sent once
   * its initializer ran (and runs nothing when the initializer threw). Optional: a transport that
   * never calls it gets work only once the worker is ready. The engine then sends a starting
   * worker the task it will run first, so the task travels while the worker starts.
   */
  open(): void
  /** The worker is up (its initializer ran); `initError` when the initializer threw. */
  ready(initError?: unknown): void
  /**
   * The worker is gone; every message it sent before has been delivered. `crash`: the uncaught
   * exception that ended it, when the transport learned it (a thread's `error` event).
   */
  exit(exitCode: number | undefined, signal: string | undefined, crash?: unknown): void
}

/**
 * How the engine learned the exit, for the error it fails futures with.
 * @since 0.1.0
 */
export interface DeathInfo {
  /** Its exit code, when it exited. */
  readonly exitCode: number | undefined
  /** The signal that ended it, by name, when a signal did. */
  readonly signal: string | undefined
  /** The uncaught exception that ended it, as the worker reported it. */
  readonly crash: unknown
  /** The worker's pid (processes), for the message. */
  readonly pid: number | undefined
  /** More to say, when there is: why work that had not started fails too (it moved buffers). */
  readonly detail?: string | undefined
}

/**
 * One pool's transport. `H` is its handle on one worker.
 * @since 0.1.0
 */
export interface Transport<H> {
  /** Starts a worker (`workerId` is the pool's small number for it). May throw. */
  start(workerId: number, events: WorkerEvents): H
  /**
   * Sends a message; throws when something in it cannot be copied. `transfer`: buffers to move
   * with it (`submitWith({ transfer })`; a transport that cannot move them copies them).
   */
  send(handle: H, message: ToWorker, transfer?: readonly Transferable[]): void
  /**
   * Sends a `run` of one plain call whose callable the worker has (`diag`: someone listens to
   * wait events; `transfer`: buffers to move with it, as for `send`; `large`: its arguments are
   * large, the `run` message's `large`): what `send` of that message does, in the wire's short
   * form for it, without the message. Throws like `send` (and then moves nothing). Optional:
   * without it, the engine sends the message.
   */
  sendCall?(
    handle: H,
    id: number,
    specId: number,
    name: string | undefined,
    slot: number,
    ticket: number,
    args: unknown[],
    diag: boolean,
    transfer?: readonly Transferable[],
    large?: boolean,
  ): void
  /** Ends a worker now (SIGKILL, `terminate()`); its `exit` event follows. */
  kill(handle: H, signal: 'SIGTERM' | 'SIGKILL'): void
  /** Ends an idle worker gracefully; its `exit` event follows. */
  stop(handle: H): void
  /** Whether the worker keeps the host process alive (it does while it has work). */
  ref(handle: H, referenced: boolean): void
  /** The worker's process id, when it is a process. */
  pid(handle: H): number | undefined
  /**
   * After the worker died: the index in `held` (the work it held, oldest first) of the last task
   * it started, `-1` when it started none of them, `undefined` when the transport cannot tell.
   */
  startedAt(handle: H, held: readonly WorkItem[]): number | undefined
  /** The worker is gone and accounted for: free what the transport kept for it. */
  release(handle: H): void
}

/**
 * The pool's errors and words, as the engine needs them.
 * @since 0.1.0
 */
export interface PoolErrors {
  /** The executor kind and pool noun: `'process pool'`. */
  readonly poolNoun: string
  /** One worker, for messages: `'child process'`. */
  readonly workerNoun: string
  /** Workers, for messages: `'child processes'`. */
  readonly workersNoun: string
  /** The message of the Broken*Error when an initializer threw (its error is the cause). */
  readonly initializerFailed: string
  /** The error a future fails with when its worker died running it. */
  died(future: Future, spec: string, death: DeathInfo): WorkerDiedError
  /** The pool's Broken*Error. */
  broken(message: string, options?: ErrorOptions): Error
  /**
   * The Broken*Error when workers kept dying while starting, `failures` in a row over
   * `failingForMs` ms, from the first failure to the last (`death`: the last one's). Optional:
   * the engine words it itself otherwise.
   */
  startFailed?(death: DeathInfo, failures: number, failingForMs: number): Error
  /** The error for an argument that cannot be sent (`what` names it). */
  unsendable(message: string, cause: unknown): Error
}
