/**
 * A job's progress on its way to the submitting executor's result list: the latest report goes at
 * most once per {@link PROGRESS_WRITE_INTERVAL_MS}, one write in flight at most, and the report
 * still waiting when the job ends goes just before its result, so a tight loop of reports costs a
 * few Redis writes. Used by the worker's {@link JobRelay} (relay.ts).
 *
 * @internal
 * @module
 */
import { describeValue } from '@x/future'
import { encodeEnvelope } from './protocol.js'

/** At most one progress write per job per this many milliseconds (the latest value wins). */
export const PROGRESS_WRITE_INTERVAL_MS = 50

/** The throttled progress writes of one job. */
export class ProgressWriter {
  /** Appends an envelope to the executor's result list. */
  readonly #write: (envelope: Buffer) => Promise<unknown>
  readonly #jobId: string
  /** Told of a report that cannot be serialized (it fails the job). */
  readonly #failed: (error: Error) => void
  #value: unknown = undefined
  #pending = false
  #lastWrite = -Infinity
  #timer: NodeJS.Timeout | undefined
  #inFlight = false
  #closed = false

  constructor(write: (envelope: Buffer) => Promise<unknown>, jobId: string, failed: (error: Error) => void) {
    this.#write = write
    this.#jobId = jobId
    this.#failed = failed
  }

  /** A report of the job's task: written now, or once the interval has passed and no write is in flight. */
  report(value: unknown): void {
    if (this.#closed) return
    this.#value = value
    this.#pending = true
    this.#schedule()
  }

  /** The job ended: the report still waiting is written now (before the result, on the same connection), none after it. */
  close(): void {
    this.#closed = true
    this.#writeLatest()
  }

  /** The job was handed back: nothing more is written. */
  stop(): void {
    this.#closed = true
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
  }

  /** Writes the pending report once the interval since the last write has passed and no write is in flight. */
  #schedule(): void {
    if (this.#timer !== undefined || this.#inFlight || !this.#pending || this.#closed) return
    const wait = PROGRESS_WRITE_INTERVAL_MS - (performance.now() - this.#lastWrite)
    if (wait <= 0) {
      this.#writeLatest()
      return
    }
    // checked again when it fires: a timer may fire early by the time the loop's turn had taken
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#schedule()
    }, Math.ceil(wait)).unref()
  }

  /** Writes the latest report (one write in flight at most; the next waits for it and the interval). */
  #writeLatest(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    if (!this.#pending) return
    this.#pending = false
    const value = this.#value
    this.#value = undefined
    let bytes: Buffer
    try {
      bytes = encodeEnvelope({ t: 'progress', jobId: this.#jobId, value })
    } catch (error) {
      this.#failed(
        new TypeError(
          `a progress value of job ${this.#jobId} cannot be sent to its executor (${describeValue(value)}): ` +
            `report values v8 serialization can copy (numbers, strings, plain objects, arrays, ...)`,
          { cause: error },
        ),
      )
      return
    }
    this.#lastWrite = performance.now()
    this.#inFlight = true
    void this.#write(bytes).catch(() => undefined).finally(() => {
      this.#inFlight = false
      this.#schedule()
    })
  }
}
