/**
 * A `stream()` task in a worker: pulls from the generator while it has credit (the consumer's
 * `highWaterMark`, topped up by the pool's `credit` messages as the consumer takes values),
 * sends what it yields in `yield` messages, and stops, closing the generator, when the task is
 * aborted (the consumer's `break`).
 *
 * @module
 */
import { explainCallError, withTaskContext } from '@x/future/runtime'
import type { CallableSpec } from '@x/future'
import { SerializationError } from '../errors.js'
import type { TaskFunction } from './callables.js'
import { messageOf } from './nested.js'
import type { WorkerLink } from './nested.js'
import type { WorkerTaskContext } from './task-context.js'

/** Values gathered for one message at most. */
const MAX_VALUES_PER_MESSAGE = 256

/**
 * One running stream task.
 * @since 0.1.0
 */
export class StreamPump {
  readonly #context: WorkerTaskContext
  readonly #link: WorkerLink
  #credit: number
  #values: unknown[] = []
  #immediate: NodeJS.Immediate | undefined
  #wake: (() => void) | undefined
  /** A value sent from a timer could not be copied: the task fails with this. */
  #error: SerializationError | undefined

  constructor(context: WorkerTaskContext, link: WorkerLink, highWaterMark: number) {
    this.#context = context
    this.#link = link
    this.#credit = highWaterMark
  }

  /** The consumer took `count` values. */
  credit(count: number): void {
    this.#credit += count
    this.#wakeUp()
  }

  /**
   * Runs `fn(...args)` as a generator to its end (or until aborted); rejects with its error.
   * @throws what the generator throws (explained when `fn` is not a generator function), or
   *   `SerializationError` when a yielded value cannot be sent.
   */
  async run(spec: CallableSpec, fn: TaskFunction, args: unknown[]): Promise<void> {
    try {
      await withTaskContext(this.#context, () => this.#drive(fn, args))
    } catch (error) {
      throw error instanceof SerializationError ? error : explainCallError(spec, error)
    }
  }

  async #drive(fn: TaskFunction, args: unknown[]): Promise<void> {
    const context = this.#context
    const made: unknown = fn(...args)
    if (typeof made !== 'object' || made === null || typeof (made as { next?: unknown }).next !== 'function') {
      throw new TypeError(
        `stream(): ${context.name ?? 'the function'} must be a generator function (function* or async function*); it returned ${made === null ? 'null' : typeof made}`,
      )
    }
    const iterator = made as AsyncIterator<unknown> | Iterator<unknown>
    const onAbort = (): void => {
      this.#wakeUp()
    }
    context.signal.addEventListener('abort', onAbort, { once: true })
    let finished = false
    try {
      while (!context.aborted) {
        if (this.#credit <= 0) {
          this.#flush()
          await new Promise<void>((resolve) => {
            this.#wake = resolve
          })
          continue
        }
        const step = await iterator.next()
        if (step.done === true) {
          finished = true
          break
        }
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the consumer may stop during the await
        if (context.aborted) break
        if (this.#error !== undefined) throw this.#error
        this.#values.push(step.value)
        this.#credit--
        if (this.#credit <= 0 || this.#values.length >= MAX_VALUES_PER_MESSAGE) this.#flush()
        else this.#immediate ??= setImmediate(() => {
          this.#immediate = undefined
          this.#flushQuietly()
        })
      }
      if (!context.aborted) this.#flush()
      if (this.#error !== undefined) throw this.#error
    } catch (error) {
      // the values yielded before the error reach the consumer first
      if (!context.aborted) this.#flushQuietly()
      throw error
    } finally {
      context.signal.removeEventListener('abort', onAbort)
      if (this.#immediate !== undefined) clearImmediate(this.#immediate)
      this.#immediate = undefined
      // stopped early (aborted, or a value could not be sent): its finally blocks run
      if (!finished) await iterator.return?.()
    }
  }

  #wakeUp(): void {
    const wake = this.#wake
    this.#wake = undefined
    wake?.()
  }

  #flushQuietly(): void {
    try {
      this.#flush()
    } catch (error) {
      // the task fails with it when the generator next yields or ends
      this.#error ??= error as SerializationError
    }
  }

  /** Sends the values gathered; a value that cannot be copied fails the task (the ones before it go). */
  #flush(): void {
    if (this.#immediate !== undefined) {
      clearImmediate(this.#immediate)
      this.#immediate = undefined
    }
    const values = this.#values
    if (values.length === 0) return
    this.#values = []
    const id = this.#context.id
    try {
      this.#link.send({ type: 'yield', id, values })
      return
    } catch {
      // find the value that cannot be copied
    }
    for (const value of values) {
      try {
        this.#link.send({ type: 'yield', id, values: [value] })
      } catch (error) {
        const name = this.#context.name
        throw new SerializationError(
          `a value yielded by the stream ${name === undefined ? `#${String(id)}` : `"${name}"`} cannot be sent to ${this.#link.peer}: ${messageOf(error)}. ` +
            `Yield values that structured clone can copy (primitives, plain objects, arrays, Map, Set, Date, typed arrays, errors).`,
          { cause: error, code: this.#link.serializationCode },
        )
      }
    }
  }
}
