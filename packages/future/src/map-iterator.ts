/**
 * The iterator `Executor.map()` returns: reads the zipped inputs (lazily with `buffersize`),
 * submits calls or chunks, and yields the results in input order. (`map()`'s arguments are
 * checked and read into it in open-map.ts.)
 *
 * @module
 */
import { TimeoutError } from './errors.js'
import { nextTurn, TURN_MS } from './event-loop-turn.js'
import type { Future } from './future.js'
import { readColumn } from './map-column.js'
import type { MapColumn } from './map-column.js'

/** What the iterator needs of its executor (bound to the function being mapped). */
export interface MapTarget {
  /** Submits one call with these arguments. */
  submit(args: unknown[]): Future
  /**
   * Submits a chunk of `count` calls whose arguments are given by position (`columns[j][i]` is
   * argument `j` of call `i`; a column read from an array of numbers is a `Float64Array`): a future for their results in order, an array or any array-like
   * (a pool's chunk of numbers arrives as one `Float64Array`, read by index without a copy).
   */
  submitChunk(count: number, columns: MapColumn[]): Future
  /** `false` while a submit would throw QueueFullError. */
  hasRoom(): boolean
  onRoom(): Promise<void>
}

/** The argument tuples of a chunk read by column (see `Executor.submitColumns`). */
export function tuplesOf(count: number, columns: readonly ArrayLike<unknown>[]): unknown[][] {
  const tuples = new Array<unknown[]>(count)
  for (let i = 0; i < count; i++) {
    const tuple: unknown[] = []
    for (const column of columns) tuple.push(column[i])
    tuples[i] = tuple
  }
  return tuples
}

/** How a map iterates (open-map.ts makes it from `map()`'s options and inputs). */
export interface MapState {
  /** `performance.now()` time the whole iteration must end by (the `timeout` option) */
  deadline: number | undefined
  chunksize: number
  buffersize: number | undefined
  /** The only input, when it is a plain array read by index (see `arrayBehind` in open-map.ts). */
  source?: readonly unknown[] | undefined
}

interface Pending {
  future: Future
  chunk: boolean
}

/**
 * No chunk in hand. A `Float64Array`, as the pools' chunks of numbers are: `next()` then sees
 * one kind of chunk from its first call on; an empty array there made its optimized code (built
 * while an earlier map ran) bail out on the first call of every later map.
 */
const NO_VALUES: ArrayLike<unknown> = new Float64Array(0)

export class MapIterator<R> implements AsyncIterableIterator<R> {
  readonly #target: MapTarget
  readonly #iterators: Iterator<unknown>[]
  readonly #state: MapState
  readonly #queue: Pending[] = []
  /** The results of the chunk being yielded (see {@link NO_VALUES}). */
  #values: ArrayLike<unknown> = NO_VALUES
  #valueIndex = 0
  #exhausted = false
  #finished = false
  #inFlight: Promise<void> | undefined
  #awaiting: Future | undefined
  /** The columns #readOne/#readZipped just filled. */
  #columns: MapColumn[] = []
  /** The next index of `state.source` to read. */
  #sourceIndex = 0
  /** When the event loop last turned for this map's consumer, as far as it knows (see event-loop-turn.ts). */
  #turnAt = 0

  constructor(target: MapTarget, iterators: Iterator<unknown>[], state: MapState) {
    this.#target = target
    this.#iterators = iterators
    this.#state = state
    this.#exhausted = iterators.length === 0
    try {
      if (state.buffersize === undefined) {
        while (this.#submitNext());
      } else {
        // with buffersize, a full queue (maxQueue) defers the rest to next() instead of throwing
        for (let i = 0; i < state.buffersize && target.hasRoom() && this.#submitNext(); i++);
      }
    } catch (error) {
      this.#cancelAll()
      throw error
    }
    this.#turnAt = performance.now()
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  next(): Promise<IteratorResult<R>> {
    if (this.#inFlight === undefined) {
      // Fast path: the next value of the current chunk is ready and no earlier next() is running.
      if (this.#valueIndex < this.#values.length) {
        return Promise.resolve({ value: this.#values[this.#valueIndex++] as R, done: false })
      }
      return this.#track(this.#next())
    }
    return this.#track(this.#inFlight.then(() => this.#next()))
  }

  /** Marks `step` as the call in flight until it settles; calls made meanwhile queue behind it. */
  #track(step: Promise<IteratorResult<R>>): Promise<IteratorResult<R>> {
    // This reaction is registered before the caller's own, so the marker is clear by the time the
    // caller resumes and asks for the next value.
    const settled: Promise<void> = step.then(
      () => {
        if (this.#inFlight === settled) this.#inFlight = undefined
      },
      () => {
        if (this.#inFlight === settled) this.#inFlight = undefined
      },
    )
    this.#inFlight = settled
    return step
  }

  return(): Promise<IteratorResult<R>> {
    this.#finish()
    return Promise.resolve({ value: undefined, done: true })
  }

  /**
   * Reads one zipped input tuple (or a chunk of them, by column: no array per call) and submits
   * it; false when inputs ran out.
   */
  #submitNext(): boolean {
    if (this.#exhausted) return false
    const { chunksize } = this.#state
    const iterators = this.#iterators
    const width = iterators.length
    if (chunksize === 1) {
      const tuple: unknown[] = []
      for (const iterator of iterators) {
        const step = iterator.next()
        if (step.done === true) {
          this.#exhausted = true
          this.#closeInputs()
          return false
        }
        tuple.push(step.value)
      }
      this.#queue.push({ future: this.#target.submit(tuple), chunk: false })
      return true
    }
    const count = width === 1 ? this.#readOne(chunksize) : this.#readZipped(chunksize)
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the reads above set it
    if (this.#exhausted) this.#closeInputs()
    if (count === 0) return false
    const columns = this.#columns
    this.#columns = []
    this.#queue.push({ future: this.#target.submitChunk(count, columns), chunk: true })
    return !this.#exhausted
  }

  /** Reads up to `max` values of the only input into one column; returns how many. */
  #readOne(max: number): number {
    const { source } = this.#state
    if (source !== undefined) {
      // What the array's iterator would give, taken at once: its length as it is now (the
      // iterator reads it at each step), each value read once (see readColumn).
      const start = this.#sourceIndex
      const values = readColumn(source, start, Math.min(source.length, start + max))
      this.#columns = [values]
      this.#sourceIndex = start + values.length
      if (values.length < max) this.#exhausted = true
      return values.length
    }
    const [iterator] = this.#iterators
    const column: unknown[] = []
    if (iterator === undefined) return 0
    this.#columns = [column]
    while (column.length < max) {
      const step = iterator.next()
      if (step.done === true) {
        this.#exhausted = true
        break
      }
      column.push(step.value)
    }
    return column.length
  }

  /** Reads up to `max` zipped tuples into one column per input (the shortest input wins); returns how many. */
  #readZipped(max: number): number {
    const inputs = this.#iterators.map((iterator) => ({ iterator, column: [] as unknown[] }))
    this.#columns = inputs.map((input) => input.column)
    let count = 0
    while (count < max) {
      for (const { iterator, column } of inputs) {
        const step = iterator.next()
        if (step.done === true) {
          this.#exhausted = true
          // a tuple cut short by the shortest input is not a call
          for (const input of inputs) input.column.length = count
          return count
        }
        column.push(step.value)
      }
      count++
    }
    return count
  }

  #closeInputs(): void {
    for (const iterator of this.#iterators) {
      try {
        iterator.return?.()
      } catch {
        // an input that fails to close loses nothing here
      }
    }
  }

  async #next(): Promise<IteratorResult<R>> {
    if (this.#valueIndex < this.#values.length) {
      return { value: this.#values[this.#valueIndex++] as R, done: false }
    }
    if (this.#finished) return { value: undefined, done: true }
    const { buffersize } = this.#state
    if (buffersize !== undefined) {
      try {
        // Python's rule: one more input per result taken (so up to buffersize + 1 outstanding);
        // inputs deferred by a full executor queue (maxQueue) are caught up here too
        if (this.#target.hasRoom() && this.#submitNext()) {
          while (this.#queue.length < buffersize && this.#target.hasRoom() && this.#submitNext());
        }
        if (this.#queue.length === 0 && !this.#exhausted) {
          // the executor's queue is full (maxQueue) and none of ours is in it: wait for room
          await this.#waitForRoom()
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- return() may run during the await
          if (this.#finished) return { value: undefined, done: true }
          return await this.#next()
        }
      } catch (error) {
        this.#finish()
        throw error
      }
    }
    const head = this.#queue.shift()
    if (head === undefined) {
      this.#finish()
      return { value: undefined, done: true }
    }
    // A result that is there, while the event loop has not turned for a while: it turns first
    // (event-loop-turn.ts). A result still to come is waited for in the event loop anyway.
    const ready = head.future.done()
    if (ready && performance.now() - this.#turnAt > TURN_MS) {
      await nextTurn()
      this.#turnAt = performance.now()
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- return() may run during the await
      if (this.#finished) return { value: undefined, done: true }
    }
    const { deadline } = this.#state
    let value: unknown
    this.#awaiting = head.future
    try {
      value = await head.future.result(deadline === undefined ? undefined : deadline - performance.now())
    } catch (error) {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- return() may run during the await
      if (this.#finished) return { value: undefined, done: true }
      head.future.cancel()
      this.#finish()
      throw error
    } finally {
      this.#awaiting = undefined
    }
    if (!ready) this.#turnAt = performance.now()
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- return() may run during the await
    if (this.#finished) return { value: undefined, done: true }
    if (!head.chunk) return { value: value as R, done: false }
    this.#values = value as ArrayLike<unknown>
    this.#valueIndex = 0
    return this.#next()
  }

  /** Resolves when the executor has room; rejects with TimeoutError at the map's deadline. */
  #waitForRoom(): Promise<void> {
    const room = this.#target.onRoom()
    const { deadline } = this.#state
    if (deadline === undefined) return room
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new TimeoutError(`map(): no room in the executor's queue before the map's timeout`))
      }, Math.max(0, deadline - performance.now()))
      room.then(() => {
        clearTimeout(timer)
        resolve()
      }, reject)
    })
  }

  #finish(): void {
    if (this.#finished) return
    this.#finished = true
    this.#values = NO_VALUES
    this.#awaiting?.cancel()
    this.#cancelAll()
    if (!this.#exhausted) {
      this.#exhausted = true
      this.#closeInputs()
    }
  }

  #cancelAll(): void {
    for (const { future } of this.#queue) future.cancel()
    this.#queue.length = 0
  }
}
