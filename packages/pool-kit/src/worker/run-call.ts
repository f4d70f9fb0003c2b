/**
 * Running one task in a worker: a single call, or a `map()` chunk's calls in order, inside its
 * task context, with "X is not defined" in a function sent as source explained.
 *
 * @module
 */
import { explainCallError, withTaskContext } from '@x/future'
import type { CallableSpec } from '@x/future'
import { packColumn } from '../chunk-codec.js'
import type { PackedTuples } from '../chunk-codec.js'
import type { TaskFunction } from './callables.js'
import type { WorkerTaskContext } from './task-context.js'

/**
 * Runs `fn` on `args` (a chunk: on each packed tuple, returning a packed column) as the task
 * `context`. Rejects with the task's error.
 *
 * @throws the task's own error (the promise rejects), as {@link explainCallError} reports it.
 * @since 0.1.0
 */
export async function runCall(
  spec: CallableSpec,
  fn: TaskFunction,
  args: unknown[],
  chunk: boolean,
  context: WorkerTaskContext,
): Promise<unknown> {
  try {
    return await withTaskContext(context, () => (chunk ? callChunk(fn, args as unknown as PackedTuples) : callOne(fn, args)))
  } catch (error) {
    throw explainCallError(spec, error)
  }
}

async function callOne(fn: TaskFunction, args: unknown[]): Promise<unknown> {
  return await fn(...args)
}

/** Runs a chunk's calls in order; awaits only results that are promises. */
async function callChunk(fn: TaskFunction, packed: PackedTuples): Promise<unknown> {
  const count = packed[0]
  const columns = packed.slice(1) as ArrayLike<unknown>[]
  const results = new Array<unknown>(count)
  const width = columns.length
  const col0 = columns[0] ?? []
  for (let i = 0; i < count; i++) {
    let value: unknown
    if (width === 1) value = fn(col0[i])
    else {
      const tuple = new Array<unknown>(width)
      for (let j = 0; j < width; j++) tuple[j] = (columns[j] ?? [])[i]
      value = fn(...tuple)
    }
    if (isThenable(value)) value = await value
    results[i] = value
  }
  return packColumn(results)
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
}
