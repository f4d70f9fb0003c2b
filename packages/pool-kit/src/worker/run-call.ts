/**
 * Running one task in a worker: a single call, or a `map()` chunk's calls in order, inside its
 * task context, with "X is not defined" in a function sent as source explained. A call that
 * returns a plain value is run and answered synchronously: no promise, no microtask (with
 * `currentTask()`'s async context tracking on, every promise costs); only a call that returns a
 * promise (or a thenable) is awaited.
 *
 * @module
 */
import { explainCallError, withTaskContext } from '@x/future/runtime'
import type { CallableSpec } from '@x/future'
import { packColumn } from '../chunk-codec.js'
import type { PackedTuples } from '../chunk-codec.js'
import type { TaskFunction } from './callables.js'
import type { WorkerTaskContext } from './task-context.js'

/**
 * Runs `fn` on `args` (a chunk: on each packed tuple, returning a packed column) as the task
 * `context`. Returns the value itself when every call returned a plain value, else a promise of
 * it (see `isThenable`); a returned value is never a thenable.
 *
 * @throws the task's own error (thrown, or the promise rejects), as {@link explainCallError} reports it.
 * @since 0.1.0
 */
export function runCall(
  spec: CallableSpec,
  fn: TaskFunction,
  args: unknown[],
  chunk: boolean,
  context: WorkerTaskContext,
): unknown {
  let value: unknown
  try {
    value = withTaskContext(context, () => (chunk ? callChunk(fn, args as unknown as PackedTuples) : fn(...args)))
  } catch (error) {
    throw explainCallError(spec, error)
  }
  if (!isThenable(value)) return value
  // (Promise.resolve adopts a foreign thenable as `await` would)
  return Promise.resolve(value).then(undefined, (error: unknown) => {
    throw explainCallError(spec, error)
  })
}

/**
 * Runs a chunk's calls in order: synchronously while they return plain values. While they return
 * numbers the results go straight into the `Float64Array` that is sent back (what `packColumn`
 * would make of them, without an array in between); the first other value moves them to an array.
 */
function callChunk(fn: TaskFunction, packed: PackedTuples): unknown {
  const count = packed[0]
  const columns = packed.slice(1) as ArrayLike<unknown>[]
  if (count === 0) return new Float64Array(0)
  if (columns.length === 1) return callColumn(fn, columns, count)
  const first = callAt(fn, columns, 0)
  if (typeof first !== 'number') return callChunkRest(fn, columns, count, NO_NUMBERS, 0, first)
  const numbers = new Float64Array(count)
  numbers[0] = first
  for (let i = 1; i < count; i++) {
    const value = callAt(fn, columns, i)
    if (typeof value !== 'number') return callChunkRest(fn, columns, count, numbers, i, value)
    numbers[i] = value
  }
  return numbers
}

/**
 * {@link callChunk} for calls of one argument (what `map()` over one input sends): the same
 * steps with the call written in the loop. A worker runs its first chunks in V8's unoptimized
 * tiers, where each call through {@link callAt} is one more frame per item (issue 13, W4).
 */
function callColumn(fn: TaskFunction, columns: ArrayLike<unknown>[], count: number): unknown {
  const column = columns[0] ?? []
  const first = fn(column[0])
  if (typeof first !== 'number') return callChunkRest(fn, columns, count, NO_NUMBERS, 0, first)
  const numbers = new Float64Array(count)
  numbers[0] = first
  for (let i = 1; i < count; i++) {
    const value = fn(column[i])
    if (typeof value !== 'number') return callChunkRest(fn, columns, count, numbers, i, value)
    numbers[i] = value
  }
  return numbers
}

const NO_NUMBERS = new Float64Array(0)

/** The rest of a chunk from call `i`, whose `value` is not a number; `numbers` holds the results before it. */
function callChunkRest(fn: TaskFunction, columns: ArrayLike<unknown>[], count: number, numbers: Float64Array, i: number, value: unknown): unknown {
  const results = new Array<unknown>(count)
  for (let j = 0; j < i; j++) results[j] = numbers[j]
  for (;;) {
    if (isThenable(value)) return finishChunk(fn, columns, results, i, value)
    results[i] = value
    if (++i === count) return packColumn(results)
    value = callAt(fn, columns, i)
  }
}

/** The rest of a chunk once call `i` returned a promise: awaits only results that are promises. */
async function finishChunk(fn: TaskFunction, columns: ArrayLike<unknown>[], results: unknown[], i: number, pending: PromiseLike<unknown>): Promise<unknown> {
  results[i] = await pending
  for (let j = i + 1; j < results.length; j++) {
    let value = callAt(fn, columns, j)
    if (isThenable(value)) value = await value
    results[j] = value
  }
  return packColumn(results)
}

/** Call `i` of a chunk, its arguments taken from the columns. */
function callAt(fn: TaskFunction, columns: ArrayLike<unknown>[], i: number): unknown {
  const width = columns.length
  if (width === 1) return fn((columns[0] ?? [])[i])
  const tuple = new Array<unknown>(width)
  for (let j = 0; j < width; j++) tuple[j] = (columns[j] ?? [])[i]
  return fn(...tuple)
}

/**
 * Whether `value` is a promise or another thenable (what `await` would wait for).
 * @since 0.1.0
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function'
}
