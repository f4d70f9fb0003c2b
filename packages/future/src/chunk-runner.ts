/**
 * `map()`'s default chunk task, for executors that run calls on their own thread: the calls of
 * one chunk, in order, as one task.
 *
 * @module
 */
import { describeCallable, loadCallable } from './callable.js'
import type { Task } from './task.js'

/** Runs `f` over each argument tuple in order and returns the results. */
export async function runChunk(f: (...a: unknown[]) => unknown, tuples: unknown[][]): Promise<unknown[]> {
  const out: unknown[] = []
  for (const tuple of tuples) out.push(await f(...tuple))
  return out
}

/** The chunk task of a `task(url, name)` handle: imports its function, then runs the chunk. */
export function chunkTask(spec: Task): (tuples: unknown[][]) => Promise<unknown[]> {
  return async (tuples) => runChunk(await loadCallable(describeCallable(spec)), tuples)
}
