/**
 * The `wait:start`/`wait:end` events of futures: one event object per wait (a pending `result()`
 * call, or a `wait()`/`asCompleted()` step), its wait site, and the rejection the detector uses.
 * A leaf under `future.ts`: it knows a future only by its id and name.
 *
 * @module
 */
import { join, sep } from 'node:path'
import { channels } from './channels.js'
import type { WaitEndEvent, WaitStartEvent } from './diagnostics.js'
import { CancelledError, TimeoutError } from './errors.js'
import { newWaitId } from './ids.js'
import { runningTaskId } from './task-storage.js'

/** @internal Removes a pending result()/exception() wait from its future. */
export const kRemoveListener: unique symbol = Symbol('removeListener')

/** What a wait event needs of its future. */
export interface WaitedFuture {
  readonly id: number
  readonly name: string | undefined
  [kRemoveListener](wait: ResultWait): void
}

/** The wait whose `wait:start` is being published (its waiter is on the call stack). */
let publishing: WaitEvent | undefined

/** A captured wait site: V8 turns the frames into the `stack` text only when it is first read. */
interface Site {
  stack?: string
}

/**
 * @internal
 * What the `wait:start` events of this package share: ids given when published, the wait site
 * (captured only when a subscriber asks during the publish: the waiter is on the call stack only
 * then, and capturing costs; formatted only when `stack` is read), and the `wait:end` publish.
 */
export abstract class WaitEvent implements WaitStartEvent {
  /** 0 until published. */
  waitId = 0
  abstract readonly taskId: number | undefined
  abstract readonly mode: 'all' | 'any'
  abstract readonly timeout: number | undefined
  abstract readonly futureIds: readonly number[]
  abstract readonly reject: (error: Error) => void
  abstract readonly ended: boolean
  #stack: Site | string | undefined = undefined

  get stack(): string {
    return (this.#stack = formatSite(this.#stack ?? this.#captureSite()))
  }

  captureStack(): void {
    this.#stack ??= this.#captureSite()
  }

  /** Publishing: the task that waits (`undefined` outside any task). A shared wait has none: it is published only outside tasks. */
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the shared wait's: nothing to record
  inTask(_taskId: number | undefined): void {
    // a shared wait records none
  }

  /** Publishes `wait:end` (the subclass makes sure it happens once). */
  protected publishEnd(reason: WaitEndEvent['reason']): void {
    if (this.waitId !== 0 && channels.waitEnd.hasSubscribers) {
      channels.waitEnd.publish({ waitId: this.waitId, reason } satisfies WaitEndEvent)
    }
  }

  /** The frames of the wait site, or a note saying why there are none. */
  #captureSite(): Site | string {
    // A timed wait is never reported as a deadlock: no stack.
    if (this.timeout !== undefined) return '    (a timed wait: no stack recorded)'
    if (publishing !== this) return '    (wait site not recorded: read `stack` while the event is being published)'
    const site: Site = {}
    const limit = Error.stackTraceLimit
    Error.stackTraceLimit = 16
    Error.captureStackTrace(site, publishWaitEvent)
    Error.stackTraceLimit = limit
    return site
  }
}

/** Publishes `wait:start` for `wait`, giving it its ids; the waiter is on the call stack meanwhile. */
export function publishWaitEvent(wait: WaitEvent): void {
  wait.waitId = newWaitId()
  wait.inTask(runningTaskId())
  const outer = publishing
  publishing = wait
  try {
    channels.waitStart.publish(wait)
  } finally {
    publishing = outer
  }
}

/** @internal A wait event that may be made inside a task: it records which. */
export abstract class TaskWaitEvent extends WaitEvent {
  taskId: number | undefined = undefined

  override inTask(taskId: number | undefined): void {
    this.taskId = taskId
  }
}

function formatSite(site: Site | string): string {
  return typeof site === 'string' ? site : waitSite(site.stack)
}

/**
 * A wait that settles a promise: its resolvers, `ended`, and its one end. One object per wait
 * (with its `wait:start` event, while a subscriber listens): a program awaiting thousands of
 * futures keeps thousands of these alive, and a published wait must not double that.
 * @internal
 */
export abstract class PromiseWait extends TaskWaitEvent {
  /** Both `undefined` once the wait ended. */
  #resolve: ((value: unknown) => void) | undefined
  #reject: ((reason: unknown) => void) | undefined

  constructor(resolve: (value: unknown) => void, reject: (reason: unknown) => void) {
    super()
    this.#resolve = resolve
    this.#reject = reject
  }

  // eslint-disable-next-line @typescript-eslint/class-literal-property-style -- on the prototype: no slot per wait
  get mode(): 'all' {
    return 'all'
  }

  get ended(): boolean {
    return this.#reject === undefined
  }

  /** Ends the wait once: `ended` turns true, `wait:end` is published, the promise settles. */
  protected end(reason: WaitEndEvent['reason'], ok: boolean, outcome: unknown): void {
    const resolve = this.#resolve
    const reject = this.#reject
    if (resolve === undefined || reject === undefined) return
    this.#resolve = this.#reject = undefined
    this.publishEnd(reason)
    if (ok) resolve(outcome)
    else reject(outcome)
  }
}

/**
 * One pending `result()`/`exception()` call with its own promise (a timed one, an `exception()`,
 * or one inside a task while a subscriber listens): a wait on one future in mode `'all'`, with
 * its timer.
 */
export class ResultWait extends PromiseWait {
  readonly timeout: number | undefined
  readonly #future: WaitedFuture
  readonly #exception: boolean
  #timer: NodeJS.Timeout | undefined = undefined

  constructor(
    future: WaitedFuture,
    exception: boolean,
    timeout: number | undefined,
    resolve: (value: unknown) => void,
    reject: (reason: unknown) => void,
  ) {
    super(resolve, reject)
    this.#future = future
    this.#exception = exception
    this.timeout = timeout
  }

  get futureIds(): readonly number[] {
    return [this.#future.id]
  }

  get reject(): (error: Error) => void {
    return (error: Error): void => {
      if (this.ended) return
      if (this.#timer !== undefined) clearTimeout(this.#timer)
      this.#future[kRemoveListener](this)
      this.end('rejected', false, error)
    }
  }

  startTimer(): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#future[kRemoveListener](this)
      this.end('timeout', false, timeoutErrorOf(this.#future, this.timeout ?? 0))
    }, this.timeout)
  }

  /** The future is done. */
  settle(cancelled: boolean, failed: boolean, value: unknown, error: unknown): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    if (cancelled) this.end('settled', false, cancelledErrorOf(this.#future))
    else if (this.#exception) this.end('settled', true, failed ? error : undefined)
    else if (failed) this.end('settled', false, error)
    else this.end('settled', true, value)
  }
}

/**
 * Publishes `wait:start` for a wait on `futures` and returns the published wait; its `end()`
 * publishes `wait:end` (idempotent). `onReject` is called when a subscriber rejects the wait (the
 * detector's action).
 * @internal
 */
export function publishWait(
  futures: readonly { readonly id: number }[],
  mode: 'all' | 'any',
  timeout: number | undefined,
  onReject: (error: Error) => void,
): PublishedWait {
  const only = futures.length === 1 ? futures[0] : undefined
  const event = new PublishedWait(only === undefined ? futures.map((f) => f.id) : only.id, mode, timeout, onReject)
  publishWaitEvent(event)
  return event
}

/**
 * The `wait:start` event of a `wait()` or `asCompleted()` step: one small object per wait, alive
 * as long as the wait; the `futureIds` array and `reject` are made on first read.
 * @internal
 */
export class PublishedWait extends TaskWaitEvent {
  readonly mode: 'all' | 'any'
  readonly timeout: number | undefined
  /** One id until `futureIds` is read, then the array. */
  #ids: number | readonly number[]
  /** `undefined` once the wait ended. */
  #onReject: ((error: Error) => void) | undefined

  constructor(
    ids: number | readonly number[],
    mode: 'all' | 'any',
    timeout: number | undefined,
    onReject: (error: Error) => void,
  ) {
    super()
    this.#ids = ids
    this.mode = mode
    this.timeout = timeout === Infinity ? undefined : timeout
    this.#onReject = onReject
  }

  get futureIds(): readonly number[] {
    const ids = this.#ids
    if (typeof ids !== 'number') return ids
    const list = [ids]
    this.#ids = list
    return list
  }

  get reject(): (error: Error) => void {
    return (error: Error): void => {
      const onReject = this.#onReject
      if (onReject === undefined) return
      this.end('rejected')
      onReject(error)
    }
  }

  get ended(): boolean {
    return this.#onReject === undefined
  }

  /** Publishes `wait:end` once. */
  end(reason: WaitEndEvent['reason']): void {
    if (this.#onReject === undefined) return
    this.#onReject = undefined
    this.publishEnd(reason)
  }
}

// This package's own code: its sources and build output (dist/, and dist/bundle/ where this module
// may be bundled), whichever of them the frames of a stack name (a test runner maps dist to src).
// (found when a site is first read: node:url is not among the modules a worker starts with)
let ownDirectories: readonly string[] | undefined
function ownDirectoriesOf(): readonly string[] {
  if (ownDirectories !== undefined) return ownDirectories
  const packageRoot = process.getBuiltinModule('node:url').fileURLToPath(new URL('.', import.meta.url)).replace(/[\\/](?:src|dist(?:[\\/]bundle)?)[\\/]?$/u, '')
  return (ownDirectories = [join(packageRoot, 'src', sep), join(packageRoot, 'dist', sep)])
}

/** The frames of a wait site outside this package, or a note saying why there are none. */
function waitSite(raw: string | undefined): string {
  const own = ownDirectoriesOf()
  const frames = (raw ?? '')
    .split('\n')
    .slice(1)
    .filter((line) => !own.some((directory) => line.includes(directory)) && !line.includes('node:internal') && !line.includes('<anonymous>'))
  return frames.length > 0
    ? frames.join('\n')
    : '    (wait site not recorded: `await future` runs then() from a microtask; `await future.result()` records it)'
}

/** `future #3 "resize" was cancelled before it started`. */
export function cancelledErrorOf(future: { readonly id: number; readonly name: string | undefined }): CancelledError {
  return new CancelledError(`future ${futureLabel(future)} was cancelled before it started`)
}

/** What `result(timeout)`/`exception(timeout)` reject with when `timeout` ms pass first. */
export function timeoutErrorOf(future: { readonly id: number; readonly name: string | undefined }, timeout: number): TimeoutError {
  return new TimeoutError(
    `future ${futureLabel(future)} was not done after ${String(Math.round(timeout))} ms (the wait gave up; the task itself goes on)`,
  )
}

function futureLabel(future: { readonly id: number; readonly name: string | undefined }): string {
  return future.name === undefined ? `#${String(future.id)}` : `#${String(future.id)} "${future.name}"`
}
