/**
 * The worker's side of progress and streams: a job runs on the worker's local executor, whose own
 * `onProgress()` and `stream()` this forwards to the submitting executor's result list, in order
 * with the job's start and result envelopes (lists drop nothing; the values wait there while the
 * executor is disconnected).
 *
 * - Progress: throttled by a {@link ProgressWriter} (progress-writer.ts): the latest report at
 *   most once per 50 ms, the last one just before the result.
 * - Streams: the worker pulls from the local stream (`highWaterMark` 1) only while it has credit:
 *   the consumer's `highWaterMark` plus the values its consumer took (`{ jobId, taken }` on the
 *   worker's credit channel; a running total, so a message lost in a reconnect is made good by the
 *   next one, which the executor repeats every check interval). That repeated credit is also the
 *   consumer's sign of life: a paused stream that hears none for 10 intervals (at least 5 s) stops,
 *   so a dead consumer never holds the worker's slot.
 *
 * @module
 */
import { serialize } from 'node:v8'
import { AsyncPoolExecutor, FutureError, describeValue, serializeError, task } from '@x/future'
import type { Executor, Future, StreamOptions, Task } from '@x/future'
import { encodeEnvelope } from './protocol.js'
import { ProgressWriter } from './progress-writer.js'
import type { WirePayload } from './job-data.js'
import { decodeJob, errorEnvelope, loadJob, runDecodedJob } from './runner.js'
import type { DecodedJob, runJob } from './runner.js'
import type { RunnerContext } from './runner.js'
import type { streamJob } from './stream-job.js'

/** Values gathered into one `yield` envelope at most. */
const MAX_VALUES_PER_WRITE = 256
/**
 * A paused stream whose executor sent no credit for this many of its check intervals (it repeats
 * the credit every interval), and at least {@link CONSUMER_GONE_MIN_MS}, has lost its consumer.
 */
const CONSUMER_GONE_CHECKS = 10
const CONSUMER_GONE_MIN_MS = 5000

/** What BullMQ's job data tells the worker about a `stream()` job: the consumer's highWaterMark and check interval. */
export interface StreamJobData {
  readonly s?: number | undefined
  readonly c?: number | undefined
}

/** What the relay submits to the local executor: a call that returns the job's result envelope. */
type JobCall<A, B, C> = (a: A, b: B, c: C) => Uint8Array | Promise<Uint8Array>

const runTask = task<typeof runJob>(new URL('./runner.js', import.meta.url), 'runJob')
const streamTask = task<typeof streamJob>(new URL('./stream-job.js', import.meta.url), 'streamJob')
const runHere = (relay: JobRelay, decoded: DecodedJob, context: RunnerContext): Uint8Array | Promise<Uint8Array> => JobRelay.runHere(relay, decoded, context)

type Streaming = Executor & { stream(fn: unknown, ...argsAndOptions: unknown[]): AsyncIterableIterator<unknown> }

/** One job on this worker: runs it on the local executor and relays its progress and values. */
export class JobRelay {
  /** Appends an envelope to the executor's result list (the worker's push, see `serve()`). */
  readonly #write: (envelope: Buffer) => Promise<unknown>
  readonly #jobId: string
  /** The consumer's highWaterMark, for a `stream()` job. */
  readonly #highWaterMark: number | undefined
  readonly #progress: ProgressWriter
  /** The first thing that fails the job besides its own outcome: a report or value that cannot be sent, a lost write. */
  #error: Error | undefined
  readonly #onProgress = (value: unknown): void => {
    this.#progress.report(value)
  }
  /** The envelope {@link JobRelay.runHere} returned for this job. */
  #result: Uint8Array | undefined = undefined
  // stream
  #allowed: number
  #sent = 0
  #values: unknown[] = []
  #immediate: NodeJS.Immediate | undefined
  #wake: (() => void) | undefined
  /** When the last credit came (performance.now(); a stream's only). */
  #heard = 0
  /** How long a paused stream waits for a word of its consumer. */
  readonly #patience: number
  #stopped = false

  constructor(write: (envelope: Buffer) => Promise<unknown>, jobId: string, data: StreamJobData) {
    this.#write = write
    this.#jobId = jobId
    this.#progress = new ProgressWriter(write, jobId, (error) => {
      this.#error ??= error
    })
    this.#highWaterMark = data.s
    this.#allowed = data.s ?? 0
    if (data.s !== undefined) this.#heard = performance.now()
    this.#patience = Math.max(CONSUMER_GONE_MIN_MS, CONSUMER_GONE_CHECKS * (data.c ?? 1000))
  }

  /** A credit message for one of `relays` (from the worker's credit channel: JSON `{ jobId, taken }`, see `sendCredit`). */
  static credit(relays: ReadonlyMap<string, JobRelay>, message: Buffer): void {
    const { jobId, taken } = JSON.parse(message.toString()) as { jobId: string; taken: number }
    const relay = relays.get(jobId)
    if (relay === undefined || relay.#highWaterMark === undefined) return
    relay.#allowed = Math.max(relay.#allowed, relay.#highWaterMark + taken)
    relay.#heard = performance.now()
    relay.#wakeUp()
  }

  /** The job was handed back (the worker is closing): nothing more is relayed; a stream stops, closing its generator. */
  stop(): void {
    this.#stopped = true
    this.#progress.stop()
    this.#wakeUp()
  }

  /**
   * Runs the job on `executor` (a call, or a generator for a `stream()` job), then calls `done`
   * with its encoded result envelope, or `failed` with what the local executor failed the job with
   * (a crashed thread, a shut-down executor), or a TypeError when a stream job reaches an executor
   * without `stream()` or yields a value v8 serialization cannot copy. Callbacks, not a promise:
   * a call on an executor of this thread settles without a promise of ours.
   */
  run(
    executor: Executor,
    options: { signal?: AbortSignal; name: string },
    payload: WirePayload,
    context: RunnerContext,
    done: (bytes: Uint8Array) => void,
    failed: (error: unknown) => void,
  ): void {
    if (this.#highWaterMark !== undefined) {
      this.#runStream(executor, options, payload, context).then(done, failed)
      return
    }
    if (executor instanceof AsyncPoolExecutor) {
      this.#runHere(executor, options, payload, context, done, failed)
      return
    }
    this.#submit(executor, options, runTask, payload, this.#jobId, context, done, failed)
  }

  /**
   * On the worker's own thread: the payload is decoded and its module imported before the local
   * task starts (so a synchronous call starts nothing asynchronous inside its task, and the
   * thread's async hooks can go off between jobs: see `runWithStoredTask` in `@x/future`); the
   * runner is called as it is (no import per call, no promise to load it), and the envelope it
   * returns is kept here, so the done callback needs no promise to read it.
   */
  #runHere(
    executor: AsyncPoolExecutor,
    options: { signal?: AbortSignal; name: string },
    payload: WirePayload,
    context: RunnerContext,
    done: (bytes: Uint8Array) => void,
    failed: (error: unknown) => void,
  ): void {
    let decoded: DecodedJob
    let loading: Promise<unknown> | undefined
    try {
      decoded = decodeJob(payload, context)
      loading = loadJob(decoded)
    } catch (error) {
      done(errorEnvelope(this.#jobId, error))
      return
    }
    const submit = (): void => {
      this.#submit(executor, options, runHere, this, decoded, context, done, failed)
    }
    if (loading === undefined) submit()
    else loading.then(submit, (error: unknown) => { done(errorEnvelope(this.#jobId, error)) })
  }

  /**
   * Submits `fn(a, b, c)` to the local executor and follows its future ({@link JobRelay.follow});
   * a submit that throws (a shut-down executor) fails the job with that error.
   */
  #submit<A, B, C>(
    executor: Executor,
    options: { signal?: AbortSignal; name: string },
    fn: JobCall<A, B, C> | Task<JobCall<A, B, C>>,
    a: A,
    b: B,
    c: C,
    done: (bytes: Uint8Array) => void,
    failed: (error: unknown) => void,
  ): void {
    let future: Future<Uint8Array>
    try {
      future = executor.submitWith(options, fn, a, b, c)
    } catch (error) {
      failed(error)
      return
    }
    this.#follow(future, done, failed)
  }

  /** Relays the local future's progress, then its result: the envelope kept by {@link JobRelay.runHere}, or what the future settled with. */
  #follow(future: Future<Uint8Array>, done: (bytes: Uint8Array) => void, failed: (error: unknown) => void): void {
    future.onProgress(this.#onProgress)
    future.addDoneCallback(() => {
      const bytes = this.#result
      if (bytes !== undefined && !future.cancelled()) done(bytes)
      else future.result().then(done, failed)
    })
  }

  /** Runs the job on the worker's own thread ({@link AsyncPoolExecutor}), keeping its envelope in `relay`. */
  static runHere(relay: JobRelay, decoded: DecodedJob, context: RunnerContext): Uint8Array | Promise<Uint8Array> {
    const out = runDecodedJob(decoded, relay.#jobId, context)
    if (out instanceof Uint8Array) relay.#result = out
    else return out.then((bytes) => (relay.#result = bytes))
    return out
  }

  async #runStream(executor: Executor, options: { signal?: AbortSignal; name: string }, payload: WirePayload, context: RunnerContext): Promise<Uint8Array> {
    const onProgress = this.#onProgress
    const streaming = executor as Partial<Streaming>
    if (typeof streaming.stream !== 'function') {
      throw new TypeError(
        `this worker's executor (${executor.constructor.name}) has no stream(): serve() it with an executor of @x/future, ` +
          `@x/thread-pool or @x/process-pool to run stream() calls`,
      )
    }
    // (a stream job always has a signal: its consumer's break aborts it)
    const signal = options.signal ?? new AbortController().signal
    const streamOptions: StreamOptions = { name: options.name, signal, highWaterMark: 1, onProgress }
    await this.#pump(streaming.stream(streamTask, payload, context, streamOptions), signal)
    return encodeEnvelope({ t: 'ok', jobId: this.#jobId, value: undefined })
  }

  /**
   * The job ended: no more progress is relayed; the report still waiting is written now (before
   * the result, on the same connection). Returns the result to push: `bytes`, or the error of a
   * progress value that could not be serialized.
   */
  end(bytes: Uint8Array): Uint8Array {
    this.#wakeUp()
    this.#progress.close()
    if (this.#error === undefined) return bytes
    return encodeEnvelope({ t: 'error', jobId: this.#jobId, error: serializeError(this.#error) })
  }

  async #pump(stream: AsyncIterableIterator<unknown>, signal: AbortSignal): Promise<void> {
    const onAbort = (): void => {
      this.#wakeUp()
    }
    signal.addEventListener('abort', onAbort, { once: true })
    let finished = false
    try {
      while (!signal.aborted && !this.#stopped) {
        if (this.#sent >= this.#allowed) {
          this.#flush()
          await this.#waitForCredit()
          continue
        }
        const step = await stream.next()
        if (step.done === true) {
          finished = true
          break
        }
        if (this.#error !== undefined) throw this.#error
        this.#values.push(step.value)
        this.#sent++
        if (this.#sent >= this.#allowed || this.#values.length >= MAX_VALUES_PER_WRITE) this.#flush()
        else this.#immediate ??= setImmediate(() => {
          this.#immediate = undefined
          this.#flushQuietly()
        })
      }
      this.#flush()
      if (this.#error !== undefined) throw this.#error
    } catch (error) {
      // the values yielded before the error reach the consumer first
      this.#flushQuietly()
      throw error
    } finally {
      signal.removeEventListener('abort', onAbort)
      if (this.#immediate !== undefined) clearImmediate(this.#immediate)
      this.#immediate = undefined
      // stopped early (aborted, or a value could not be sent): the local task is aborted, the generator closed
      if (!finished) await stream.return?.()
    }
  }

  /** Resolves on credit, an abort or stop; throws once the consumer has been silent too long. */
  async #waitForCredit(): Promise<void> {
    const silent = performance.now() - this.#heard
    if (silent >= this.#patience) {
      throw new FutureError(
        `the consumer of the stream job ${this.#jobId} is gone: its executor sent no credit for ${String(Math.round(silent))} ms ` +
          `(it repeats it every check interval while the stream runs); the stream was stopped and its generator closed`,
        'ERR_STREAM_CONSUMER_LOST',
      )
    }
    let timer: NodeJS.Timeout | undefined
    await new Promise<void>((resolve) => {
      this.#wake = resolve
      timer = setTimeout(resolve, this.#patience - silent)
    })
    clearTimeout(timer)
  }

  #flushQuietly(): void {
    try {
      this.#flush()
    } catch (error) {
      this.#error ??= error as Error
    }
  }

  /** Writes the values gathered; a value that cannot be serialized fails the job (the ones before it go). */
  #flush(): void {
    const values = this.#values
    if (values.length === 0) return
    this.#values = []
    let bytes: Buffer
    try {
      bytes = encodeEnvelope({ t: 'yield', jobId: this.#jobId, values })
    } catch {
      const bad = values.findIndex((value) => !serializable(value))
      if (bad > 0) this.#writeValues(encodeEnvelope({ t: 'yield', jobId: this.#jobId, values: values.slice(0, bad) }))
      throw new TypeError(
        `a value yielded by the stream job ${this.#jobId} cannot be sent to its executor (${describeValue(values[bad])}): ` +
          `yield values v8 serialization can copy (primitives, plain objects, arrays, Map, Set, Date, typed arrays, errors)`,
      )
    }
    this.#writeValues(bytes)
  }

  /** A write of values that fails (Redis gone for good) fails the job rather than losing them quietly. */
  #writeValues(bytes: Buffer): void {
    void this.#write(bytes).catch((error: unknown) => {
      this.#error ??= new Error(`values of the stream job ${this.#jobId} could not be written to Redis`, { cause: error })
      this.#wakeUp()
    })
  }

  #wakeUp(): void {
    const wake = this.#wake
    this.#wake = undefined
    wake?.()
  }
}

function serializable(value: unknown): boolean {
  try {
    serialize(value)
    return true
  } catch {
    return false
  }
}
