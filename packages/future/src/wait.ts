import { describeValue, TimeoutError } from './errors.js'
import { isFuture } from './is-future.js'
import { kAddWaiter, kFailed, kRemoveWaiter } from './future-hooks.js'
import { publishWait } from './wait-events.js'
import type { PublishedWait } from './wait-events.js'
import { channels } from './channels.js'
import type { Future, Waiter } from './future.js'
import { checkOptions, checkTimeout } from './validate.js'

/**
 * `wait()` returns as soon as any future finishes or is cancelled.
 *
 * @since 0.1.0
 */
export const FIRST_COMPLETED = 'FIRST_COMPLETED'
/**
 * `wait()` returns when any future fails, or when all are done if none fails.
 *
 * @since 0.1.0
 */
export const FIRST_EXCEPTION = 'FIRST_EXCEPTION'
/**
 * `wait()` returns when every future is done.
 *
 * @since 0.1.0
 */
export const ALL_COMPLETED = 'ALL_COMPLETED'

/**
 * When {@link wait} returns.
 *
 * @since 0.1.0
 */
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED

/**
 * What {@link wait} resolves to.
 *
 * @since 0.1.0
 */
export interface DoneAndNotDone<T> {
  /** The futures that finished or were cancelled. */
  readonly done: Set<Future<T>>
  /** The others (not empty only when `returnWhen` or `timeout` ended the wait early). */
  readonly notDone: Set<Future<T>>
}

/**
 * Options of {@link wait}.
 *
 * @since 0.1.0
 */
export interface WaitOptions {
  /** Milliseconds to wait at most; `undefined` waits as long as it takes. */
  timeout?: number | undefined
  /** @default ALL_COMPLETED */
  returnWhen?: ReturnWhen | undefined
}

/**
 * A done future handed out by {@link asCompleted}. At run time it is the {@link Future} itself;
 * its type leaves out `then` because TypeScript types a `for await` loop variable as the awaited
 * value of what the iterator yields, and would otherwise claim you get the result, not the future.
 * Read it with `f.result()` or `f.exception()`; `f instanceof Future` gives back the full type.
 *
 * @since 0.1.0
 */
export type CompletedFuture<T> = Omit<Future<T>, 'then'>

/**
 * Options of {@link asCompleted}.
 *
 * @since 0.1.0
 */
export interface AsCompletedOptions {
  /** Milliseconds, counted from the `asCompleted()` call, before iteration throws TimeoutError. */
  timeout?: number | undefined
}

function isSettledForWaiters(f: Future): boolean {
  return f.state === 'FINISHED' || f.state === 'CANCELLED_AND_NOTIFIED'
}

function failed(f: Future): boolean {
  return f.state === 'FINISHED' && f[kFailed]
}

function collectFutures<T>(fs: Iterable<Future<T>>, where: string): Set<Future<T>> {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- checked at run time for JavaScript callers
  if (fs === null || typeof fs !== 'object' || typeof (fs as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`${where}: expected an iterable of futures (an array or a Set), got ${describeValue(fs)}`)
  }
  const set = new Set<Future<T>>()
  let index = 0
  for (const f of fs) {
    if (!isFuture(f)) {
      throw new TypeError(`${where}: item ${String(index)} is not a Future, got ${describeValue(f)}`)
    }
    set.add(f)
    index++
  }
  return set
}

/**
 * Waits for the futures (any iterable; duplicates count once) until `returnWhen` holds or
 * `timeout` milliseconds pass, and tells which are done. A future counts as done here once it
 * FINISHED or its cancellation was acknowledged by its executor (CANCELLED_AND_NOTIFIED).
 *
 * @example
 * ```ts
 * const { done, notDone } = await wait([f1, f2, f3], { returnWhen: FIRST_COMPLETED, timeout: 1000 })
 * ```
 *
 * @throws TypeError (the promise rejects) when `fs` is not an iterable of futures, `options` has
 *   an unknown key, or `timeout` is not a number.
 * @throws RangeError (the promise rejects) when `returnWhen` is not one of the three constants.
 * @since 0.1.0
 */
export function wait<T>(fs: Iterable<Future<T>>, options?: WaitOptions): Promise<DoneAndNotDone<T>>
/**
 * {@link wait} over futures of different result types.
 *
 * @throws TypeError (the promise rejects) when `fs` is not an iterable of futures, `options` has
 *   an unknown key, or `timeout` is not a number.
 * @throws RangeError (the promise rejects) when `returnWhen` is not one of the three constants.
 * @since 0.1.0
 */
export function wait(fs: Iterable<Future>, options?: WaitOptions): Promise<DoneAndNotDone<unknown>>
export function wait<T>(fs: Iterable<Future<T>>, options?: WaitOptions): Promise<DoneAndNotDone<T>> {
  try {
    checkOptions(options, 'wait', ['timeout', 'returnWhen'])
    const timeout = options?.timeout
    checkTimeout(timeout, 'wait')
    const returnWhen = options?.returnWhen ?? ALL_COMPLETED
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- checked at run time for JavaScript callers
    if (returnWhen !== FIRST_COMPLETED && returnWhen !== FIRST_EXCEPTION && returnWhen !== ALL_COMPLETED) {
      throw new RangeError(
        `Invalid return condition: ${describeValue(returnWhen)}; use FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED`,
      )
    }
    const all = collectFutures(fs, 'wait')
    const done = new Set<Future<T>>()
    const notDone = new Set<Future<T>>()
    for (const f of all) (isSettledForWaiters(f) ? done : notDone).add(f)

    const satisfied = (): boolean => {
      if (notDone.size === 0) return true
      if (returnWhen === FIRST_COMPLETED) return done.size > 0
      if (returnWhen === FIRST_EXCEPTION) {
        for (const f of done) if (failed(f)) return true
      }
      return false
    }
    if (satisfied() || (timeout !== undefined && timeout <= 0)) return Promise.resolve({ done, notDone })

    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined
      // eslint-disable-next-line prefer-const -- read by callbacks that may run before it is assigned
      let end: PublishedWait | undefined
      const finish = (): void => {
        if (timer !== undefined) clearTimeout(timer)
        for (const f of notDone) f[kRemoveWaiter](waiter)
      }
      const waiter: Waiter = (f) => {
        notDone.delete(f as Future<T>)
        done.add(f as Future<T>)
        if (satisfied()) {
          finish()
          end?.end('settled')
          resolve({ done, notDone })
        }
      }
      for (const f of notDone) f[kAddWaiter](waiter)
      if (timeout !== undefined && timeout !== Infinity) {
        timer = setTimeout(() => {
          finish()
          end?.end('timeout')
          resolve({ done, notDone })
        }, timeout)
      }
      end = publishWaitIfObserved([...notDone], returnWhen === ALL_COMPLETED ? 'all' : 'any', timeout, (error) => {
        finish()
        reject(error)
      })
    })
  } catch (error) {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rethrows the validation error it caught
    return Promise.reject(error)
  }
}

function publishWaitIfObserved(
  futures: Future[],
  mode: 'all' | 'any',
  timeout: number | undefined,
  onReject: (error: Error) => void,
): PublishedWait | undefined {
  return channels.waitStart.hasSubscribers ? publishWait(futures, mode, timeout, onReject) : undefined
}

/**
 * Yields the futures as they complete (finished, or cancelled and acknowledged): those already
 * done first, then in completion order, each once. With `timeout`, counted from this call, the
 * iteration throws {@link TimeoutError} `N (of M) futures unfinished` when time runs out.
 *
 * It yields the futures themselves, not their values: read each with `await f` or `f.result()`.
 *
 * @example
 * ```ts
 * for await (const f of asCompleted(futures, { timeout: 5000 })) {
 *   console.log(f.name, (await f.exception()) ?? (await f.result()))
 * }
 * ```
 *
 * @throws TypeError at once when `fs` is not an iterable of futures, `options` has an unknown
 *   key, or `timeout` is not a number.
 * @throws {@link TimeoutError} from the iteration (`next()` rejects) when `timeout` runs out.
 * @since 0.1.0
 */
export function asCompleted<T>(
  fs: Iterable<Future<T>>,
  options?: AsCompletedOptions,
): AsyncIterableIterator<CompletedFuture<T>>
/**
 * {@link asCompleted} over futures of different result types.
 *
 * @throws TypeError at once when `fs` is not an iterable of futures, `options` has an unknown
 *   key, or `timeout` is not a number.
 * @throws {@link TimeoutError} from the iteration (`next()` rejects) when `timeout` runs out.
 * @since 0.1.0
 */
export function asCompleted(
  fs: Iterable<Future>,
  options?: AsCompletedOptions,
): AsyncIterableIterator<CompletedFuture<unknown>>
export function asCompleted<T>(
  fs: Iterable<Future<T>>,
  options?: AsCompletedOptions,
): AsyncIterableIterator<CompletedFuture<T>> {
  checkOptions(options, 'asCompleted', ['timeout'])
  const timeout = options?.timeout
  checkTimeout(timeout, 'asCompleted')
  return new AsCompletedIterator(collectFutures(fs, 'asCompleted'), timeout)
}

class AsCompletedIterator<T> implements AsyncIterableIterator<Future<T>> {
  readonly #total: number
  readonly #deadline: number | undefined
  readonly #ready: Future<T>[] = []
  readonly #pending = new Set<Future<T>>()
  #wake: (() => void) | undefined
  #closed = false
  readonly #waiter: Waiter = (f) => {
    this.#pending.delete(f as Future<T>)
    this.#ready.push(f as Future<T>)
    const wake = this.#wake
    this.#wake = undefined
    wake?.()
  }

  constructor(all: Set<Future<T>>, timeout: number | undefined) {
    this.#total = all.size
    this.#deadline = timeout === undefined || timeout === Infinity ? undefined : performance.now() + timeout
    for (const f of all) {
      if (isSettledForWaiters(f)) this.#ready.push(f)
      else this.#pending.add(f)
    }
    for (const f of this.#pending) f[kAddWaiter](this.#waiter)
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  async next(): Promise<IteratorResult<Future<T>>> {
    for (;;) {
      const next = this.#ready.shift()
      if (next !== undefined) return { value: next, done: false }
      if (this.#closed || this.#pending.size === 0) return this.#close()
      const remaining = this.#deadline === undefined ? undefined : this.#deadline - performance.now()
      if (remaining !== undefined && remaining <= 0) throw this.#timeout()
      await this.#nextCompletion(remaining)
    }
  }

  return(): Promise<IteratorResult<Future<T>>> {
    return Promise.resolve(this.#close())
  }

  #close(): IteratorResult<Future<T>> {
    this.#closed = true
    this.#ready.length = 0
    for (const f of this.#pending) f[kRemoveWaiter](this.#waiter)
    this.#pending.clear()
    return { value: undefined, done: true }
  }

  #timeout(): TimeoutError {
    const error = new TimeoutError(`${String(this.#pending.size)} (of ${String(this.#total)}) futures unfinished`)
    this.#close()
    return error
  }

  #nextCompletion(remaining: number | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined
      // eslint-disable-next-line prefer-const -- read by callbacks that may run before it is assigned
      let end: PublishedWait | undefined
      this.#wake = () => {
        if (timer !== undefined) clearTimeout(timer)
        end?.end('settled')
        resolve()
      }
      if (remaining !== undefined) {
        timer = setTimeout(() => {
          this.#wake = undefined
          end?.end('timeout')
          resolve() // next() sees the deadline and throws
        }, remaining)
      }
      end = publishWaitIfObserved([...this.#pending], 'any', remaining, (error) => {
        if (timer !== undefined) clearTimeout(timer)
        this.#wake = undefined
        this.#close()
        reject(error)
      })
    })
  }
}
