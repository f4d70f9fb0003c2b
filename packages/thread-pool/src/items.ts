/**
 * What the thread pool tracks (internal): work items, sessions (a worker thread serving the
 * pool), the queue, the shared state words and the pool's futures.
 *
 * @internal
 * @module
 */
import type { MessagePort, Transferable } from 'node:worker_threads'
import { Future } from '@x/future'
import type { CallableSpec, FutureState } from '@x/future'
import { FifoQueue } from '@x/pool-kit'
import { WorkerExitError } from './errors.js'
import { describe } from './options.js'
import { ABORTABLE, CHUNK, FLAT, QUEUED, STARTED, STATE_MASK } from './protocol.js'
import type { TaskMessage } from './protocol.js'

/** State words per pool: tasks handed to workers and not yet finished. */
const SLOT_COUNT = 1 << 15

/** A callable as the pool sends it: its spec and the id workers know it by. */
export interface Described {
  readonly spec: CallableSpec
  readonly id: number
}

export interface Item {
  readonly future: PoolFuture<unknown>
  readonly callable: Described
  readonly args: readonly unknown[]
  readonly chunk: boolean
  /** A chunk whose `args` is the flat list of single arguments. */
  readonly flat: boolean
  readonly transfer: readonly Transferable[] | undefined
  readonly signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
  where: 'queued' | 'sent' | 'done'
  session: Session | undefined
  slot: number
  word: number
  started: boolean
  graceTimer: NodeJS.Timeout | undefined
  /** Called once when the item ends (nested work reports back to its worker). */
  notify: ((how: 'ok' | 'error' | 'cancelled', value: unknown) => void) | undefined
}

/** One worker thread serving this pool: a tinypool task holding a port of ours. */
export class Session {
  readonly items = new Map<number, Item>()
  readonly nested = new Map<number, Item>()
  readonly waits = new Map<number, { readonly waitId: number; ended: boolean }>()
  /** The callables this session's worker has been sent. */
  readonly knownSpecs = new Set<number>()
  threadId: number | undefined
  /** Tasks handed to it and not taken back (for maxTasksPerWorker). */
  assigned = 0
  alive = true
  released = false
  noPrefetch = false
  kill: { readonly item: Item; readonly reason: unknown } | undefined
  /** Takes the session's task out of tinypool's queue when its thread failed to start. */
  readonly abort = new AbortController()

  constructor(
    readonly id: number,
    readonly port: MessagePort,
  ) {}
}

/** The pool's queue (@x/pool-kit's ring buffer); items taken out of it by cancel() are skipped. */
export class Queue {
  readonly #items = new FifoQueue<Item>()
  live = 0

  push(item: Item): void {
    this.#items.push(item)
    this.live++
  }

  /** Puts `items` back at the front, keeping their order. */
  unshift(items: readonly Item[]): void {
    this.#items.unshiftAll(items)
    this.live += items.length
  }

  shift(): Item | undefined {
    for (let item = this.#items.shift(); item !== undefined; item = this.#items.shift()) {
      if (item.where !== 'queued') continue
      this.live--
      return item
    }
    return undefined
  }

  /** Every live item, front first (for shutdown's cancelFutures and a broken pool). */
  drain(): Item[] {
    const out: Item[] = []
    for (let item = this.shift(); item !== undefined; item = this.shift()) out.push(item)
    return out
  }
}

/** Shared state words, one per task handed to a worker. */
export class Slots {
  readonly buffer = new SharedArrayBuffer(SLOT_COUNT * 4)
  readonly words = new Int32Array(this.buffer)
  /** When each slot's task started (see `SessionInit.starts`); 0 until its worker claims it. */
  readonly startBuffer = new SharedArrayBuffer(SLOT_COUNT * 8)
  readonly #starts = new Float64Array(this.startBuffer)
  readonly #free: number[] = []
  #fresh = 0

  get available(): number {
    return this.#free.length + SLOT_COUNT - this.#fresh
  }

  /** A slot in state QUEUED with a fresh generation, or -1. */
  take(item: Item): boolean {
    let slot = this.#free.pop()
    if (slot === undefined) {
      if (this.#fresh >= SLOT_COUNT) return false
      slot = this.#fresh++
    }
    const generation = (Atomics.load(this.words, slot) >>> 3) + 1
    const word = ((generation & 0x0fffffff) << 3) | QUEUED
    this.#starts[slot] = 0
    Atomics.store(this.words, slot, word)
    item.slot = slot
    item.word = word
    return true
  }

  release(item: Item): void {
    if (item.slot < 0) return
    this.#free.push(item.slot)
    item.slot = -1
  }

  /** QUEUED → `state` if nobody claimed the slot first. */
  claim(item: Item, state: number): boolean {
    return Atomics.compareExchange(this.words, item.slot, item.word, (item.word & ~STATE_MASK) | state) === item.word
  }

  /**
   * When the worker started `item`, as this thread's `performance.now()`; undefined when it has
   * not said yet (it writes the time just after it claims the slot) or the slot is gone.
   */
  startTime(item: Item): number | undefined {
    if (item.slot < 0) return undefined
    const at = this.#starts[item.slot] ?? 0
    return at > 0 ? at - performance.timeOrigin : undefined
  }

  startedBy(item: Item): boolean {
    return item.slot >= 0 && Atomics.load(this.words, item.slot) === ((item.word & ~STATE_MASK) | STARTED)
  }
}

/** The hooks a {@link PoolFuture} needs from its pool. */
export interface FutureOwner {
  cancel(item: Item): boolean
  sync(item: Item): void
}

/**
 * A future of this pool. PENDING while queued here or handed to a worker but not started there;
 * RUNNING from the moment the worker claims it (read from the shared state word, so `running()`
 * and `cancel()` are exact).
 */
export class PoolFuture<T> extends Future<T> {
  item: Item | undefined
  readonly #owner: FutureOwner

  constructor(owner: FutureOwner, name: string | undefined) {
    super({ name })
    this.#owner = owner
  }

  override get state(): FutureState {
    if (this.item !== undefined) this.#owner.sync(this.item)
    return super.state
  }

  override running(): boolean {
    if (this.item !== undefined) this.#owner.sync(this.item)
    return super.running()
  }

  override toString(): string {
    if (this.item !== undefined) this.#owner.sync(this.item)
    return super.toString()
  }

  override cancel(): boolean {
    const item = this.item
    if (item === undefined || item.where === 'done') return super.cancel()
    return this.#owner.cancel(item)
  }

  /** @internal */
  cancelHere(): boolean {
    return super.cancel()
  }
}

/** Re-reads an item's place after code that may have settled it. */
export function isDone(item: Item): boolean {
  return item.where !== 'sent'
}

export function taskMessage(item: Item): TaskMessage {
  return [
    item.future.id,
    item.slot,
    item.word,
    item.callable.id,
    item.args,
    (item.chunk ? CHUNK : 0) | (item.flat ? FLAT : 0) | (item.signal === undefined ? 0 : ABORTABLE),
    item.future.name,
  ]
}

/** The future's name when none is given: the function's or export's name. */
export function defaultName(spec: CallableSpec): string | undefined {
  return spec.name === 'anonymous' ? undefined : spec.name
}

export function deathError(cause: { error?: unknown; exitCode?: number | undefined }, detail: string | undefined): WorkerExitError {
  const suffix = detail === undefined ? '' : `; ${detail}`
  const { error } = cause
  if (error !== undefined) {
    const code = (error as { code?: unknown }).code
    if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
      return new WorkerExitError(
        `the worker thread running this task ran out of memory (its resourceLimits) and was ended${suffix}`,
        { cause: error, exitCode: 1 },
      )
    }
    if (error instanceof WorkerExitError) {
      return new WorkerExitError(`the worker thread running this task exited (${error.message})${suffix}`, {
        cause: error,
        exitCode: error.exitCode,
      })
    }
    return new WorkerExitError(
      `the worker thread running this task died from an uncaught ${describe(error)} ` +
        `(thrown outside the task's own promise chain, for example in a timer)${suffix}`,
      { cause: error, exitCode: 1 },
    )
  }
  const exitCode = cause.exitCode
  return new WorkerExitError(
    `the worker thread running this task exited with code ${String(exitCode)} before the task finished ` +
      `(process.exit() in the task, or the thread was ended)${suffix}`,
    { exitCode },
  )
}

