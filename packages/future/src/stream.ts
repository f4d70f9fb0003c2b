/**
 * `AsyncPoolExecutor.stream()`: runs a generator function as one task and hands its values to
 * the consumer as they come, in order, with backpressure.
 *
 * @module
 */
import { describeValue } from './errors.js'
import type { Future } from './future.js'
import type { ProgressListener } from './progress.js'
import { describeCallable, loadCallable } from './callable.js'
import { currentTask } from './context.js'
import { isTask } from './task.js'
import type { Task } from './task.js'
import { isPlainObject } from './validate.js'

/**
 * Options of `stream()`: its last argument when that is a plain object with only these keys.
 *
 * @since 0.1.0
 */
export interface StreamOptions {
  /**
   * How many values the generator may yield ahead of the consumer: it pauses at its next `yield`
   * while this many are waiting. @default 16
   */
  highWaterMark?: number | undefined
  /** A label for the task's future. */
  name?: string | undefined
  /** Aborting it ends the stream as `return()` does. */
  signal?: AbortSignal | undefined
  /**
   * Called with the progress the generator reports (`currentTask().progress(value)`), as
   * `future.onProgress()` listeners are: coalesced, never after the stream's task ended.
   */
  onProgress?: ProgressListener | undefined
}

const OPTION_KEYS = ['highWaterMark', 'name', 'signal', 'onProgress']

/**
 * Splits `stream()`'s arguments into the generator's arguments and the options: the last
 * argument is the options when it is a plain object with only `highWaterMark`, `name`,
 * `signal` and `onProgress` keys. For backend authors implementing `stream()`.
 *
 * @throws {RangeError} `highWaterMark` is not an integer >= 1.
 * @throws {TypeError} `name` is not a string, or `signal` is not an `AbortSignal`.
 * @example
 * ```ts
 * const { args, options } = streamArguments([path, { highWaterMark: 64 }]) // args: [path]
 * ```
 * @since 0.1.0
 */
export function streamArguments(argsAndOptions: readonly unknown[]): {
  /** The generator's own arguments. */
  args: unknown[]
  /** The options (`{}` when none were passed). */
  options: StreamOptions
} {
  const last = argsAndOptions.at(-1)
  if (isPlainObject(last) && Object.keys(last).every((key) => OPTION_KEYS.includes(key))) {
    const options = last as StreamOptions
    const { highWaterMark, name, signal, onProgress } = options
    if (highWaterMark !== undefined && (typeof highWaterMark !== 'number' || !Number.isInteger(highWaterMark) || highWaterMark < 1)) {
      throw new RangeError(`stream(): highWaterMark must be an integer >= 1, got ${describeValue(highWaterMark)}`)
    }
    if (name !== undefined && typeof name !== 'string') throw new TypeError(`stream(): name must be a string, got ${describeValue(name)}`)
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new TypeError(`stream(): signal must be an AbortSignal, got ${describeValue(signal)}`)
    }
    if (onProgress !== undefined && typeof onProgress !== 'function') {
      throw new TypeError(`stream(): onProgress must be a function, got ${describeValue(onProgress)}`)
    }
    return { args: argsAndOptions.slice(0, -1), options }
  }
  return { args: [...argsAndOptions], options: {} }
}

/**
 * The generator function a stream runs (sync or async).
 *
 * @since 0.1.0
 */
export type StreamFunction = (...args: any[]) => AsyncIterator<unknown> | Iterator<unknown>

/**
 * The generator function behind `fn`: `fn` itself, or, for a `task(url, name)` handle, one that
 * imports the export (on first use) and delegates to it.
 */
export function generatorOf(fn: StreamFunction | Task): StreamFunction {
  if (!isTask(fn)) return fn
  const spec = describeCallable(fn)
  const fromModule = async function* (...args: unknown[]): AsyncGenerator {
    const loaded = await loadCallable(spec)
    // the stream stopped while the module loaded (its pump task's signal): the generator never starts
    if (currentTask()?.signal.aborted === true) return undefined
    const made: unknown = loaded(...args)
    if (typeof made !== 'object' || made === null || typeof (made as { next?: unknown }).next !== 'function') {
      throw new TypeError(`stream(): ${fn.name} must be a generator function (function* or async function*); it returned ${describeValue(made)}`)
    }
    return (yield* made as AsyncIterator<unknown> & AsyncIterable<unknown>) as unknown
  }
  Object.defineProperty(fromModule, 'name', { value: fn.name })
  return fromModule
}

/** Submits the task that pulls from the generator, with a signal that aborts when the consumer stops. */
export type SubmitPump = (options: { name: string | undefined; signal: AbortSignal }, run: () => Promise<void>) => Future

/** The values between the generator and the consumer. */
class Buffer<T> {
  readonly values: T[] = []
  /** Resolves a consumer waiting for a value (or the end). */
  #wakeConsumer: (() => void) | undefined
  /** Resolves the producer waiting for room. */
  #wakeProducer: (() => void) | undefined

  constructor(readonly highWaterMark: number) {}

  push(value: T): void {
    this.values.push(value)
    this.wakeConsumer()
  }

  /** Resolves once there is room (fewer than highWaterMark waiting) or the stream is stopped. */
  room(stopped: () => boolean): Promise<void> | undefined {
    if (this.values.length < this.highWaterMark || stopped()) return undefined
    return new Promise((resolve) => {
      this.#wakeProducer = resolve
    })
  }

  /** Resolves once a value is waiting or the producer ended. */
  arrival(): Promise<void> {
    return new Promise((resolve) => {
      this.#wakeConsumer = resolve
    })
  }

  wakeConsumer(): void {
    const wake = this.#wakeConsumer
    this.#wakeConsumer = undefined
    wake?.()
  }

  wakeProducer(): void {
    const wake = this.#wakeProducer
    this.#wakeProducer = undefined
    wake?.()
  }
}

/**
 * The consumer's iterator. The task pulls from the generator while fewer than `highWaterMark`
 * values wait; `return()` (a `break`) or the options' signal aborts the task's signal, closes the
 * generator (its `finally` blocks run) and cancels the task if it has not started.
 */
export function openStream<T>(fn: StreamFunction, args: unknown[], options: StreamOptions, submit: SubmitPump): AsyncIterableIterator<T> {
  if (typeof fn !== 'function') throw new TypeError(`stream(): expected a generator function, got ${describeValue(fn)}`)
  const buffer = new Buffer<T>(options.highWaterMark ?? 16)
  const controller = new AbortController()
  let stopped = false
  let ended = false
  const stop = (): void => {
    if (stopped) return
    stopped = true
    controller.abort(options.signal?.reason ?? new Error('the stream was closed by its consumer'))
    buffer.values.length = 0
    buffer.wakeProducer()
    buffer.wakeConsumer()
  }
  const onAbort = (): void => {
    stop()
  }
  options.signal?.addEventListener('abort', onAbort, { once: true })
  if (options.signal?.aborted === true) stop()

  const signal = controller.signal
  const run = async (): Promise<void> => {
    const iterator = fn(...args)
    if (typeof iterator !== 'object' || typeof (iterator as { next?: unknown }).next !== 'function') {
      throw new TypeError(`stream(): ${fn.name || 'the function'} must be a generator function (function* or async function*); it returned ${describeValue(iterator)}`)
    }
    let finished = false
    try {
      while (!signal.aborted) {
        const step = await iterator.next()
        if (step.done === true) {
          finished = true
          break
        }
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the consumer may stop during the await
        if (signal.aborted) break
        buffer.push(step.value as T)
        const room = buffer.room(() => signal.aborted)
        if (room !== undefined) await room
      }
    } finally {
      // the consumer stopped early: close the generator so its finally blocks run
      if (!finished) await iterator.return?.()
    }
  }
  const future = submit({ name: options.name ?? (fn.name || undefined), signal: controller.signal }, run)
  if (options.onProgress !== undefined) future.onProgress(options.onProgress)
  future.addDoneCallback(() => {
    ended = true
    options.signal?.removeEventListener('abort', onAbort)
    buffer.wakeConsumer()
  })

  const iterator: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]() {
      return iterator
    },
    async next(): Promise<IteratorResult<T>> {
      for (;;) {
        if (stopped) return { value: undefined, done: true }
        if (buffer.values.length > 0) {
          const value = buffer.values.shift() as T
          buffer.wakeProducer()
          return { value, done: false }
        }
        if (ended) {
          stopped = true
          // the generator's error, with its class and properties, as the task failed with it
          await future.result()
          return { value: undefined, done: true }
        }
        await buffer.arrival()
      }
    },
    return(): Promise<IteratorResult<T>> {
      stop()
      future.cancel()
      return Promise.resolve({ value: undefined, done: true })
    },
  }
  return iterator
}
