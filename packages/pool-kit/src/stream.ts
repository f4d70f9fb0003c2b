/**
 * `stream()` on the pools, the consumer's side: an async iterator fed by the `yield` messages of
 * the worker that runs the generator. Taking a value gives the worker credit for one more
 * (`credit` messages, gathered per turn of the event loop), so the worker pauses while
 * `highWaterMark` values wait here. `break`/`return()` aborts the task through its signal (or
 * cancels it if it has not started); the task's error, or its worker's death, ends the iteration
 * with that error after the values that came before it.
 *
 * @module
 */
import { streamArguments } from '@x/future'
import type { Future, SubmitOptions } from '@x/future'
import type { StreamSink } from './engine/stream-sink.js'

/**
 * The `submitWith()` option through which {@link openPoolStream} hands its sink to the pool: a
 * pool's `submitWith` reads `options[streamSinkOption]` and passes it to `PoolEngine.submit()`.
 * @since 0.1.0
 */
export const streamSinkOption: unique symbol = Symbol('@x/pool-kit.streamSink')

/**
 * `submitWith()` options that may carry a stream sink.
 * @since 0.1.0
 */
export type StreamSubmitOptions = SubmitOptions & {
  /** The stream's sink, which the pool passes to `PoolEngine.submit()`. */
  readonly [streamSinkOption]?: StreamSink | undefined
}

/**
 * Implements a pool's `stream(fn, ...args, options?)`: submits `fn` as a stream task through the
 * pool's `submitWith` (so `maxQueue`, `stats()` and dependencies apply) and returns the iterator.
 *
 * @example
 * ```ts
 * stream(fn, ...argsAndOptions) {
 *   return openPoolStream((options, f, ...args) => this.submitWith(options, f, ...args), fn, argsAndOptions)
 * }
 * ```
 * @throws what `streamArguments()` and the pool's `submitWith()` throw (bad options, a full queue, shutdown).
 * @since 0.1.0
 */
export function openPoolStream<T>(
  submitWith: (options: StreamSubmitOptions, fn: never, ...args: never[]) => Future,
  fn: unknown,
  argsAndOptions: readonly unknown[],
): AsyncIterableIterator<T> {
  const { args, options } = streamArguments(argsAndOptions)
  const stream = new PoolStream<T>(options.highWaterMark ?? 16)
  const submitOptions: StreamSubmitOptions = { name: options.name, signal: stream.signal, [streamSinkOption]: stream }
  const future = (submitWith as (options: StreamSubmitOptions, fn: unknown, ...args: unknown[]) => Future)(submitOptions, fn, ...args)
  if (options.onProgress !== undefined) future.onProgress(options.onProgress)
  stream.attach(future, options.signal)
  return stream
}

/** The consumer's iterator, and the sink the engine feeds. */
class PoolStream<T> implements AsyncIterableIterator<T>, StreamSink {
  readonly highWaterMark: number
  readonly #controller = new AbortController()
  #values: T[] = []
  #head = 0
  #future: Future | undefined
  #credit: ((count: number) => void) | undefined
  /** Values taken and not yet credited to the worker. */
  #taken = 0
  #creditScheduled: NodeJS.Immediate | undefined
  #stopped = false
  #ended = false
  #wake: (() => void) | undefined
  #userSignal: AbortSignal | undefined
  readonly #onUserAbort = (): void => {
    this.#stop(this.#userSignal?.reason)
  }

  constructor(highWaterMark: number) {
    this.highWaterMark = highWaterMark
  }

  /** Aborts when the consumer stops. */
  get signal(): AbortSignal {
    return this.#controller.signal
  }

  connect(credit: (count: number) => void): void {
    this.#credit = credit
  }

  push(values: readonly unknown[]): void {
    if (this.#stopped) return
    for (const value of values) this.#values.push(value as T)
    this.#wakeConsumer()
  }

  /** The stream task's future: its end ends the iteration; `signal` (the options') stops it. */
  attach(future: Future, signal: AbortSignal | undefined): void {
    this.#future = future
    future.addDoneCallback(() => {
      this.#ended = true
      this.#userSignal?.removeEventListener('abort', this.#onUserAbort)
      this.#wakeConsumer()
    })
    if (signal === undefined || future.done()) return
    this.#userSignal = signal
    if (signal.aborted) this.#stop(signal.reason)
    else signal.addEventListener('abort', this.#onUserAbort, { once: true })
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this
  }

  async next(): Promise<IteratorResult<T>> {
    for (;;) {
      if (this.#stopped) return { value: undefined, done: true }
      if (this.#head < this.#values.length) return { value: this.#take(), done: false }
      if (this.#ended) {
        this.#stopped = true
        // the generator's error (with its class and properties), or the worker's death
        await this.#future?.result()
        return { value: undefined, done: true }
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve
      })
    }
  }

  return(): Promise<IteratorResult<T>> {
    this.#stop(new Error('the stream was closed by its consumer'))
    return Promise.resolve({ value: undefined, done: true })
  }

  #take(): T {
    const value = this.#values[this.#head] as T
    this.#values[this.#head++] = undefined as T
    if (this.#head === this.#values.length) {
      this.#values = []
      this.#head = 0
    }
    this.#taken++
    this.#creditScheduled ??= setImmediate(() => {
      this.#creditScheduled = undefined
      const count = this.#taken
      this.#taken = 0
      if (!this.#stopped && !this.#ended) this.#credit?.(count)
    })
    return value
  }

  #stop(reason: unknown): void {
    if (this.#stopped) return
    this.#stopped = true
    this.#values = []
    this.#head = 0
    this.#userSignal?.removeEventListener('abort', this.#onUserAbort)
    if (this.#creditScheduled !== undefined) clearImmediate(this.#creditScheduled)
    this.#creditScheduled = undefined
    // a queued task is cancelled; a running one sees its signal abort (its worker closes the generator)
    this.#controller.abort(reason)
    this.#future?.cancel()
    this.#wakeConsumer()
  }

  #wakeConsumer(): void {
    const wake = this.#wake
    this.#wake = undefined
    wake?.()
  }
}
