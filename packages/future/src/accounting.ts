/**
 * What the base `Executor` keeps about the calls submitted through it, whatever the backend: how
 * many are outstanding (for `maxQueue`), running and done, and how long they waited and ran (for
 * `stats()`). It learns each call's start and end from its future (an internal observer), so a
 * backend needs no code for it.
 *
 * @module
 */
import { describeValue, QueueFullError } from './errors.js'
import type { Future } from './future.js'
import { kFailed, kSetObserver } from './future-hooks.js'
import type { FutureObserver, Outcome } from './future-hooks.js'
import { Durations } from './stats.js'
import type { ExecutorStats } from './stats.js'

/** Validates a `maxQueue` option: an integer >= 0, or `Infinity` (no limit). */
export function checkMaxQueue(value: unknown, where: string): number {
  if (value === undefined) return Infinity
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`${where}: maxQueue must be an integer >= 0 or Infinity (no limit), got ${describeValue(value)}`)
  }
  if (value !== Infinity && (!Number.isInteger(value) || value < 0)) {
    throw new RangeError(`${where}: maxQueue must be an integer >= 0 or Infinity (no limit), got ${String(value)}`)
  }
  return value
}

/**
 * @internal The counts are kept for every call (the accounting is the futures' shared observer: no
 * allocation, a few counter updates per call). Timing starts at the first `stats()` call: from
 * then on each call gets a {@link TaskRecord} with its timestamps.
 */
export class Accounting implements FutureObserver {
  /** Submitted and not done yet (PENDING or RUNNING). */
  outstanding = 0
  running = 0
  completed = 0
  failed = 0
  cancelled = 0
  /** `maxWorkers + maxQueue`: the most outstanding calls before `submit()` refuses more. */
  capacity: number
  #maxQueue: number
  readonly #maxWorkers: number
  /** When timing started (the first `stats()` call); -1 before. */
  #timingSince = -1
  /** Milliseconds of run time of the timed calls that finished. */
  #busy = 0
  /** Timed calls running now, and the sum of their start times (their run time so far is `timedRunning * now - startSum`). */
  #timedRunning = 0
  #startSum = 0
  readonly waitTime = new Durations()
  readonly runTime = new Durations()
  #roomWaiters: (() => void)[] | undefined

  constructor(maxWorkers: number, maxQueue: number) {
    this.#maxWorkers = maxWorkers
    this.#maxQueue = maxQueue
    this.capacity = maxWorkers + maxQueue
  }

  get maxQueue(): number {
    return this.#maxQueue
  }

  set maxQueue(value: number) {
    this.#maxQueue = value
    this.capacity = this.#maxWorkers + value
    this.#releaseWaiters()
  }

  hasRoom(): boolean {
    return this.outstanding < this.capacity
  }

  queueFull(label: string): QueueFullError {
    return new QueueFullError(
      `${label}: the queue is full (maxQueue: ${String(this.#maxQueue)} calls waiting, besides ${String(this.#maxWorkers)} running); ` +
        'nothing was queued. Wait for room with `await executor.onRoom()` and submit again, or use map() with { buffersize }.',
      this.#maxQueue,
    )
  }

  /** `performance.now()` when timing is on (read it before submitting), else -1. */
  stamp(): number {
    return this.#timingSince < 0 ? -1 : performance.now()
  }

  /** Starts following `future`, just returned by the backend; `submitted` is {@link stamp}'s. */
  track(future: Future, submitted: number): void {
    if (future.done()) {
      this.#count(future.cancelled() ? 'cancelled' : future[kFailed] ? 'failed' : 'completed')
      return
    }
    this.outstanding++
    if (submitted < 0) {
      if (future.running()) this.running++
      future[kSetObserver](this)
      return
    }
    const record = new TaskRecord(this, submitted)
    if (future.running()) record.futureStarted()
    future[kSetObserver](record)
  }

  /** Resolves when `submit()` would not throw `QueueFullError`. */
  onRoom(): Promise<void> {
    if (this.hasRoom()) return Promise.resolve()
    return new Promise((resolve) => {
      ;(this.#roomWaiters ??= []).push(resolve)
    })
  }

  // FutureObserver, for the calls that are not timed
  futureStarted(): void {
    this.running++
  }

  futureDone(outcome: Outcome, wasRunning: boolean): void {
    if (wasRunning) this.running--
    this.#settled(outcome)
  }

  /** A timed call started. */
  timedStart(record: TaskRecord, now: number): void {
    this.running++
    this.#timedRunning++
    this.#startSum += now
    this.waitTime.record(now - record.submitted)
  }

  /** A timed call is done. */
  timedDone(record: TaskRecord, outcome: Outcome, now: number): void {
    if (record.started >= 0) {
      this.running--
      this.#timedRunning--
      this.#startSum = this.#timedRunning === 0 ? 0 : this.#startSum - record.started
      const ran = now - record.started
      this.#busy += ran
      if (outcome !== 'cancelled') this.runTime.record(ran)
    }
    this.#settled(outcome)
  }

  stats(workers: number): ExecutorStats {
    const now = performance.now()
    if (this.#timingSince < 0) this.#timingSince = now
    const busy = this.#busy + (this.#timedRunning * now - this.#startSum)
    const span = (now - this.#timingSince) * this.#maxWorkers
    return {
      workers,
      running: this.running,
      queued: this.outstanding - this.running,
      completed: this.completed,
      failed: this.failed,
      cancelled: this.cancelled,
      utilization: span > 0 ? Math.min(1, busy / span) : 0,
      waitTime: this.waitTime.snapshot(),
      runTime: this.runTime.snapshot(),
    }
  }

  #settled(outcome: Outcome): void {
    this.outstanding--
    this.#count(outcome)
    if (this.#roomWaiters !== undefined) this.#releaseWaiters()
  }

  #count(outcome: Outcome): void {
    if (outcome === 'completed') this.completed++
    else if (outcome === 'failed') this.failed++
    else this.cancelled++
  }

  #releaseWaiters(): void {
    const waiters = this.#roomWaiters
    if (waiters === undefined || !this.hasRoom()) return
    this.#roomWaiters = undefined
    for (const resolve of waiters) resolve()
  }
}

/** One timed call's timestamps; its future's observer. */
class TaskRecord implements FutureObserver {
  started = -1

  constructor(
    readonly accounting: Accounting,
    readonly submitted: number,
  ) {}

  futureStarted(startedAt?: number): void {
    const now = performance.now()
    // a start reported late (from a worker's clock) lies between the submit and now
    this.started = startedAt === undefined ? now : Math.min(now, Math.max(this.submitted, startedAt))
    this.accounting.timedStart(this, this.started)
  }

  futureDone(outcome: Outcome): void {
    this.accounting.timedDone(this, outcome, performance.now())
  }
}
