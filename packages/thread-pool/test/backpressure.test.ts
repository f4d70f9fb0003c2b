// maxQueue on the thread pool: the constructor takes it, submit() beyond it throws QueueFullError,
// onRoom() resolves when a running call finishes, and map with buffersize never trips it.
import { QueueFullError } from '@x/future'
import { ThreadPoolExecutor } from '@x/thread-pool'
import { describe, expect, it } from 'vitest'
import { fixture, track, until } from './helpers.js'

describe('maxQueue', () => {
  it('the constructor takes maxQueue; beyond maxWorkers + maxQueue submit() throws QueueFullError, and onRoom() resolves once a call ends', { timeout: 20_000 }, async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 1, maxQueue: 2 }))
    expect(pool.maxQueue).toBe(2)
    const sab = new SharedArrayBuffer(8)
    const words = new Int32Array(sab)
    const running = pool.submit(fixture('blockOn'), sab, 'first')
    await until(() => Atomics.load(words, 1) === 1, 'the first call to be running in its thread')
    const queued = [pool.submit(fixture('square'), 2), pool.submit(fixture('square'), 3)]
    let error: unknown
    try {
      pool.submit(fixture('square'), 4)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(QueueFullError)
    expect((error as QueueFullError).code).toBe('ERR_QUEUE_FULL')
    expect((error as QueueFullError).message).toContain('maxQueue: 2')
    let room = false
    const waiting = pool.onRoom().then(() => { room = true })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(room).toBe(false)
    Atomics.store(words, 0, 1)
    Atomics.notify(words, 0)
    await waiting
    expect(await running).toBe('first')
    expect(await Promise.all(queued)).toEqual([4, 9])
    expect(await pool.submit(fixture('square'), 5)).toBe(25)
  })

  it('map with buffersize never trips maxQueue', { timeout: 20_000 }, async () => {
    const pool = track(new ThreadPoolExecutor({ maxWorkers: 2, maxQueue: 1 }))
    const results: number[] = []
    for await (const value of pool.map(fixture('square'), Array.from({ length: 40 }, (_, i) => i), { buffersize: 10 })) {
      results.push(value)
    }
    expect(results).toEqual(Array.from({ length: 40 }, (_, i) => i * i))
  })

  it('a bad maxQueue is refused naming the option', () => {
    expect(() => new ThreadPoolExecutor({ maxQueue: -1 })).toThrow(RangeError)
    expect(() => new ThreadPoolExecutor({ maxQueue: -1 })).toThrow('maxQueue must be an integer >= 0')
    expect(() => new ThreadPoolExecutor({ maxQueue: '3' as never })).toThrow(TypeError)
  })
})
