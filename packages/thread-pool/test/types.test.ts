// The thread pool's signatures, checked by tsc (this file is in the type-checked test project):
// every `@ts-expect-error` below must meet an error. submitWith() takes futures as arguments
// (dependencies) like the base Executor's; stream() types its values from the generator.
import { describe, expect, it } from 'vitest'
import type { Future, Task } from '@x/future'
import { ThreadPoolExecutor } from '@x/thread-pool'

const double = (x: number): number => x * 2
const rows = async function* (n: number): AsyncGenerator<{ row: number }> {
  for (let row = 0; row < n; row++) yield await Promise.resolve({ row })
}

/** Compile-time only: never called. */
function typeChecks(pool: ThreadPoolExecutor, three: Future<number>, word: Future<string>, handle: Task<typeof rows>): unknown[] {
  const a: Future<number> = pool.submitWith({ name: 'double' }, double, three)
  const b: Future<number> = pool.submit(double, three)
  // @ts-expect-error: a future of the wrong type
  pool.submitWith({}, double, word)
  // @ts-expect-error: wrong argument type
  pool.submitWith({}, double, 'x')
  const s: AsyncIterableIterator<{ row: number }> = pool.stream(rows, 3, { highWaterMark: 2 })
  const h: AsyncIterableIterator<{ row: number }> = pool.stream(handle, 3)
  // @ts-expect-error: wrong argument type
  pool.stream(rows, 'three')
  // @ts-expect-error: the values are rows, not strings
  const w: AsyncIterableIterator<string> = pool.stream(rows, 3)
  return [a, b, s, h, w]
}

describe('ThreadPoolExecutor types', () => {
  it('a future of the right type is a valid argument of submitWith()', async () => {
    expect(typeof typeChecks).toBe('function')
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 })
    const three = pool.submit(() => 3)
    expect(await pool.submitWith({ name: 'double' }, double, three)).toBe(6)
    const got: { row: number }[] = []
    for await (const value of pool.stream(rows, 3)) got.push(value)
    expect(got).toEqual([{ row: 0 }, { row: 1 }, { row: 2 }])
  })
})
