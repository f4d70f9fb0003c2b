// submitWith({ transfer }): the caller's buffers are detached when it returns, whether the call
// went to an idle thread at once (its message moves them) or waits in the queue (moved before it
// is queued); a transfer list that cannot move throws the same TypeError either way.
import { ThreadPoolExecutor } from '@x/thread-pool'
import { describe, expect, it } from 'vitest'
import { fixture, track, until } from './helpers.js'

/** What `fn` throws (fails the test when it returns). */
function thrown(fn: () => unknown): Error {
  try {
    fn()
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a throw')
}

/** A pool of one thread that has run `sumArray` (a lone call to it now goes at once, in the short form). */
async function warmPool(): Promise<ThreadPoolExecutor> {
  const pool = track(new ThreadPoolExecutor({ maxWorkers: 1 }))
  expect(await pool.submit(fixture('sumArray'), new Float64Array([1]))).toBe(1)
  return pool
}

describe('submitWith({ transfer })', () => {
  it('detaches the caller\'s buffer before it returns, for the call sent at once and for those that wait; each sums its own array', async () => {
    const pool = await warmPool()
    const arrays = Array.from({ length: 6 }, (_, k) => new Float64Array(256).fill(k + 1))
    const futures = arrays.map((array) => {
      const future = pool.submitWith({ transfer: [array.buffer] }, fixture('sumArray'), array)
      expect(array.buffer.byteLength).toBe(0)
      return future
    })
    expect(await Promise.all(futures)).toEqual(arrays.map((_, k) => 256 * (k + 1)))
  })

  it('two views on one moved buffer arrive as views on one buffer, sent at once or queued', async () => {
    const pool = await warmPool()
    const sameBuffer = (a: Float64Array, b: Float64Array) => (a.buffer === b.buffer ? (a[0] ?? 0) + (b[0] ?? 0) : -1)
    const views = (buffer: ArrayBuffer, k: number) =>
      pool.submitWith({ transfer: [buffer] }, sameBuffer, new Float64Array(buffer, 0, 1).fill(k), new Float64Array(buffer, 8, 1).fill(10 * k))
    const buffers = [new ArrayBuffer(16), new ArrayBuffer(16), new ArrayBuffer(16)]
    const futures = buffers.map((buffer, k) => views(buffer, k + 1))
    expect(buffers.map((buffer) => buffer.byteLength)).toEqual([0, 0, 0])
    expect(await Promise.all(futures)).toEqual([11, 22, 33])
  })

  it('a call whose buffer moved while its thread was busy stays PENDING and cancellable; the calls around it run', async () => {
    const pool = await warmPool()
    const words = new Int32Array(new SharedArrayBuffer(8))
    const blocker = pool.submit(fixture('blockOn'), words.buffer, 'blocker')
    await until(() => Atomics.load(words, 1) === 1, 'the blocker to run')
    const cancelled = new Float64Array(4).fill(1)
    const kept = new Float64Array(4).fill(2)
    const dropped = pool.submitWith({ transfer: [cancelled.buffer] }, fixture('sumArray'), cancelled)
    const after = pool.submitWith({ transfer: [kept.buffer] }, fixture('sumArray'), kept)
    expect([cancelled.buffer.byteLength, kept.buffer.byteLength]).toEqual([0, 0])
    expect([dropped.state, after.state]).toEqual(['PENDING', 'PENDING'])
    expect(dropped.cancel()).toBe(true)
    Atomics.store(words, 0, 1)
    Atomics.notify(words, 0)
    expect([await blocker, await after]).toEqual(['blocker', 8])
    expect(dropped.cancelled()).toBe(true)
  })

  it('a list that cannot move throws the same TypeError with an idle thread and with a busy one; nothing moves, no other call is lost', async () => {
    const pool = await warmPool()
    const lists: [string, () => [Float64Array, unknown[]]][] = [
      ['a buffer twice', () => { const a = new Float64Array(4).fill(1); return [a, [a.buffer, a.buffer]] }],
      ['a detached buffer', () => { const a = new Float64Array(4); structuredClone(a.buffer, { transfer: [a.buffer] }); return [a, [a.buffer]] }],
      ['a view, not its buffer', () => { const a = new Float64Array(4); return [a, [a]] }],
      ['a plain object', () => [new Float64Array(4), [{}]]],
    ]
    for (const [what, make] of lists) {
      const [idleArray, idleList] = make()
      const idle = thrown(() => pool.submitWith({ transfer: idleList as never }, fixture('sumArray'), idleArray))
      // the thread busy, and a call waiting ahead of it
      const running = pool.submit(fixture('sumArray'), new Float64Array([2]))
      const waiting = new Float64Array(8).fill(3)
      const queued = pool.submitWith({ transfer: [waiting.buffer] }, fixture('sumArray'), waiting)
      const [busyArray, busyList] = make()
      const busy = thrown(() => pool.submitWith({ transfer: busyList as never }, fixture('sumArray'), busyArray))
      for (const error of [idle, busy]) {
        expect(error, what).toBeInstanceOf(TypeError)
        expect(error.message, what).toMatch(/^submitWith\(\): cannot transfer .*List only transferable objects/)
      }
      expect(busy.message, what).toBe(idle.message)
      if (what !== 'a detached buffer') expect([idleArray.length, busyArray.length], what).toEqual([4, 4])
      expect([await running, await queued], what).toEqual([2, 24])
    }
    const after = new Float64Array(4).fill(5)
    expect(await pool.submitWith({ transfer: [after.buffer] }, fixture('sumArray'), after)).toBe(20)
    expect(pool.stats()).toMatchObject({ queued: 0, running: 0 })
  })
})
