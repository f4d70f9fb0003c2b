// stream() and progress on the process pool beyond the conformance suite: task handles, a child
// dying mid-stream, values that cannot be copied, and what stats() counts.
import { afterEach, describe, expect, it } from 'vitest'
import { task } from '@x/future'
import { ProcessExitError, ProcessPoolExecutor } from '@x/process-pool'
import type { SerializationError } from '@x/process-pool'
import { rejection } from './helpers.js'

const streams = new URL('./fixtures/streams.mjs', import.meta.url)
const lines = task<(prefix: string, n: number) => AsyncGenerator<string>>(streams, 'lines')

let pool: ProcessPoolExecutor | undefined
afterEach(async () => {
  await pool?.shutdown({ cancelFutures: true })
  pool = undefined
})

async function collect<T>(iterator: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const value of iterator) out.push(value)
  return out
}

describe('ProcessPoolExecutor.stream()', () => {
  it('streams from a generator a task handle names, and counts the stream as one call in stats()', async () => {
    pool = new ProcessPoolExecutor({ maxWorkers: 1 })
    const got = await collect(pool.stream(lines, 'row', 300, { highWaterMark: 8 }))
    expect(got).toEqual(Array.from({ length: 300 }, (_, i) => `row ${String(i)}`))
    expect(pool.stats()).toMatchObject({ completed: 1, failed: 0, running: 0, queued: 0 })
  })

  it('a child dying mid-stream: the values before the death, then the iterator rejects with ProcessExitError; the pool serves on', async () => {
    const p = (pool = new ProcessPoolExecutor({ maxWorkers: 1 }))
    const seen: unknown[] = []
    const error = await rejection(
      (async () => {
        for await (const value of p.stream(task(streams, 'dieMidStream'), 7)) seen.push(value)
      })(),
    )
    expect(seen).toEqual([1, 2])
    expect(error).toBeInstanceOf(ProcessExitError)
    expect((error as ProcessExitError).exitCode).toBe(7)
    expect(await collect(p.stream(lines, 'after', 2))).toEqual(['after 0', 'after 1'])
  })

  it('a yielded value that cannot be copied fails the stream with SerializationError after the values before it', async () => {
    const p = (pool = new ProcessPoolExecutor({ maxWorkers: 1 }))
    const seen: unknown[] = []
    const error = await rejection(
      (async () => {
        for await (const value of p.stream(task(streams, 'yieldUnsendable'))) seen.push(value)
      })(),
    )
    expect(seen).toEqual([1])
    // made in the child: it arrives as a TypeError named SerializationError, with its code
    expect(error).toBeInstanceOf(TypeError)
    expect((error as SerializationError).name).toBe('SerializationError')
    expect((error as SerializationError).code).toBe('ERR_PROCESS_POOL_SERIALIZATION')
    expect((error as Error).message).toContain('a value yielded by the stream "yieldUnsendable" cannot be sent to the parent process')
  })
})

describe('progress on the process pool', () => {
  it('a value that cannot be copied: progress() throws SerializationError, or the task fails with it when it was sent later', async () => {
    pool = new ProcessPoolExecutor({ maxWorkers: 1 })
    const now = await rejection(pool.submit(task(streams, 'reportUnsendable')).result())
    expect(now).toBeInstanceOf(TypeError)
    expect((now as SerializationError).name).toBe('SerializationError')
    expect((now as SerializationError).code).toBe('ERR_PROCESS_POOL_SERIALIZATION')
    expect((now as Error).message).toContain('a progress value of task "reportUnsendable"')
    const later = pool.submit(task(streams, 'reportUnsendableLater'))
    const seen: unknown[] = []
    later.onProgress((value) => seen.push(value))
    expect(((await rejection(later.result())) as SerializationError).name).toBe('SerializationError')
    expect(seen).toEqual([1])
  })

  it('the value is a structured clone made in the child', async () => {
    pool = new ProcessPoolExecutor({ maxWorkers: 1 })
    const f = pool.submit(task(streams, 'reportPid'))
    const seen: unknown[] = []
    f.onProgress((value) => seen.push(value))
    const pid = await f
    expect(pid).not.toBe(process.pid)
    expect(seen).toEqual([{ pid }])
  })
})
