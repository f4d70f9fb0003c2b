/**
 * `Executor.map()`'s arguments: its options, checked synchronously (as Python does), and its
 * inputs turned into the iterators (or the plain array) the map iterator reads.
 *
 * @module
 */
import type { Callable } from './callable.js'
import { describeValue } from './errors.js'
import { MapIterator } from './map-iterator.js'
import type { MapTarget } from './map-iterator.js'
import { isTask } from './task.js'
import { checkTimeout, isPlainObject } from './validate.js'

/**
 * Options of `Executor.map()`: the last argument of `map()` when it is a plain object.
 *
 * @since 0.1.0
 */
export interface MapOptions {
  /** Milliseconds, counted from the `map()` call, for the whole iteration. */
  timeout?: number | undefined
  /** Items per task/message (pools send a chunk in one message). @default 1 */
  chunksize?: number | undefined
  /**
   * At most this many chunks are submitted and not yet yielded; inputs are read lazily, so
   * infinite inputs work. Without it, every input is submitted at once (Python's behaviour).
   */
  buffersize?: number | undefined
}

/**
 * Validates `map()`'s arguments (synchronously, as Python does) and returns its iterator, which
 * has already submitted the first calls.
 */
export function openMap<R>(target: MapTarget, fn: Callable, iterablesAndOptions: readonly unknown[]): MapIterator<R> {
  let iterables: readonly unknown[] = iterablesAndOptions
  let options: MapOptions = {}
  const last = iterablesAndOptions.at(-1)
  if (isPlainObject(last) && !(Symbol.iterator in last)) {
    iterables = iterablesAndOptions.slice(0, -1)
    options = last
  }
  if (typeof fn !== 'function' && !isTask(fn)) {
    throw new TypeError(`map(): expected a function or a task(url, name) handle, got ${describeValue(fn)}`)
  }
  for (const key of Object.keys(options)) {
    if (key !== 'timeout' && key !== 'chunksize' && key !== 'buffersize') {
      throw new TypeError(`map(): unknown option "${key}"; the options are "timeout", "chunksize", "buffersize"`)
    }
  }
  const { timeout, chunksize = 1, buffersize } = options
  checkTimeout(timeout, 'map')
  if (typeof chunksize !== 'number' || !Number.isInteger(chunksize)) {
    throw new TypeError(`chunksize must be an integer >= 1, got ${describeValue(chunksize)}`)
  }
  if (chunksize < 1) throw new RangeError(`chunksize must be >= 1. (got ${String(chunksize)})`)
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- checked at run time for JavaScript callers
  if (buffersize !== undefined && buffersize !== null) {
    if (typeof buffersize !== 'number' || !Number.isInteger(buffersize)) {
      throw new TypeError(`buffersize must be an integer or None (undefined), got ${describeValue(buffersize)}`)
    }
    if (buffersize < 1) throw new RangeError(`buffersize must be None or > 0 (got ${String(buffersize)})`)
  }
  const iterators = iterables.map((iterable, i) => {
    if (iterable === null || iterable === undefined || typeof (iterable as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`map(): input ${String(i + 1)} is not iterable (got ${describeValue(iterable)})`)
    }
    return (iterable as Iterable<unknown>)[Symbol.iterator]()
  })
  return new MapIterator<R>(target, iterators, {
    deadline: timeout === undefined ? undefined : performance.now() + timeout,
    chunksize,
    buffersize: buffersize ?? undefined,
    source: iterators.length === 1 && iterators[0] !== undefined ? arrayBehind(iterables[0], iterators[0]) : undefined,
  })
}

const ARRAY_VALUES = Array.prototype[Symbol.iterator]
// compared by identity only, never called
// eslint-disable-next-line @typescript-eslint/unbound-method
const ARRAY_ITERATOR_NEXT = (Object.getPrototypeOf([][Symbol.iterator]()) as Iterator<unknown>).next

/**
 * The array that `iterator` iterates when it is the built-in iterator of a plain array (the
 * array's `Symbol.iterator` and the array iterator's `next` untouched): reading that array by
 * index gives the values iterating it would, without an iterator result object per value.
 */
function arrayBehind(iterable: unknown, iterator: Iterator<unknown>): readonly unknown[] | undefined {
  // a subclass's slice() would make an instance of the subclass
  if (!Array.isArray(iterable) || Object.getPrototypeOf(iterable) !== Array.prototype) return undefined
  const array = iterable as unknown[]
  if (array[Symbol.iterator] !== ARRAY_VALUES || iterator.next !== ARRAY_ITERATOR_NEXT) return undefined
  return array
}
