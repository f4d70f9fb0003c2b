/**
 * The conformance tests of `map` and `shutdown`.
 *
 * @module
 */
import { describe, expect, it } from 'vitest'
import {
  type Executor,
  type Future,
  TimeoutError,
  wait,
} from '../index.js'
import { collect, rejection, until } from './harness.js'
import type { Latch, Recorder, Suite } from './harness.js'
import { add, divide, identity, pow, recordAndWait, sleepThen, waitForLatch, recordTask } from './tasks.js'

/** @internal */
export function describeMapContract(suite: Suite): void {
  const { timeout } = suite
  const make = (maxWorkers: number): Promise<Executor> => suite.make(maxWorkers)
  const latch = (): Latch => suite.latch()
  const recorder = (): Recorder => suite.recorder()
  const tempDir = (): string => suite.tempDir()
  describe('map', () => {
    it('yields results in input order, with zip semantics, for chunksize 1 and 3', { timeout }, async () => {
      const ex = await make(3)
      const xs = Array.from({ length: 10 }, (_, i) => i)
      const expected = xs.map((x) => x ** x)
      expect(await collect(ex.map(pow, xs, xs))).toEqual(expected)
      expect(await collect(ex.map(pow, xs, xs, { chunksize: 3 }))).toEqual(expected)
      expect(await collect(ex.map(add, [1, 2, 3], [10, 20, 30, 40, 50]))).toEqual([11, 22, 33])
      const variadic: (...args: number[]) => number = pow
      expect(await collect(ex.map(variadic))).toEqual([])
      expect(await collect(ex.map(pow, [], []))).toEqual([])
    })

    it('yields a single chunk sent to an idle worker (numbers, and values of other kinds) in order', { timeout }, async () => {
      // A pool may send a call to an idle worker on a path of its own (one call, no batch):
      // a whole map in one chunk takes it, once the worker has run something.
      const ex = await make(1)
      expect(await ex.submit(pow, 2, 3)).toBe(8)
      expect(await collect(ex.map(pow, [1, 2, 3], [2, 2, 2], { chunksize: 10 }))).toEqual([1, 4, 9])
      expect(await collect(ex.map(identity, ['a', 2, null], { chunksize: 10 }))).toEqual(['a', 2, null])
    })

    it('throws the first error, then ends', { timeout }, async () => {
      const ex = await make(2)
      for (const chunksize of [1, 2]) {
        const iterator = ex.map(divide, [1, 1, 1, 1], [2, 3, 0, 5], { chunksize })
        const seen: number[] = []
        const error = await rejection(
          (async () => {
            for (;;) {
              const step = await iterator.next()
              if (step.done === true) break
              seen.push(step.value)
            }
          })(),
        )
        expect(error).toBeInstanceOf(RangeError)
        expect(seen).toEqual(chunksize === 1 ? [0, 0] : [0, 0].slice(0, 2))
        expect(await iterator.next()).toEqual({ value: undefined, done: true })
      }
    })

    it('submits every call at once without buffersize, even when never iterated', { timeout }, async () => {
      const ex = await make(2)
      const record = recorder()
      ex.map(recordTask, Array.from({ length: 10 }, () => record.path), Array.from({ length: 10 }, (_, i) => i))
      await ex.shutdown({ wait: true })
      expect((record.lines() as number[]).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    })

    it('reads inputs lazily with buffersize, so infinite inputs work', { timeout }, async () => {
      const ex = await make(2)
      let consumed = 0
      function* counting(): Generator<number> {
        for (let i = 0; ; i++) {
          consumed = i + 1
          yield i
        }
      }
      ex.map(identity, counting(), { buffersize: 2 })
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(consumed).toBe(2)
      const first: unknown[] = []
      for await (const value of ex.map(String, counting(), { buffersize: 2 })) {
        first.push(value)
        if (first.length === 3) break
      }
      expect(first).toEqual(['0', '1', '2'])
      for (const buffersize of [1, 2, 4, 8]) {
        expect(await collect(ex.map(String, [0, 1, 2, 3], { buffersize }))).toEqual(['0', '1', '2', '3'])
        expect(await collect(ex.map(add, [0, 1, 2, 3], [0, 1, 2, 3], { buffersize }))).toEqual([0, 2, 4, 6])
      }
      expect(await collect(ex.map(String, [], { buffersize: 2 }))).toEqual([])
    })

    it('validates chunksize and buffersize when called', { timeout }, async () => {
      const ex = await make(1)
      expect(() => ex.map(identity, [1], { chunksize: 0 })).toThrow(RangeError)
      expect(() => ex.map(identity, [1], { chunksize: 0 })).toThrow('chunksize must be >= 1.')
      expect(() => ex.map(identity, [1], { chunksize: -1 })).toThrow(RangeError)
      expect(() => ex.map(identity, [1], { chunksize: 1.5 })).toThrow(TypeError)
      expect(() => ex.map(identity, [1], { buffersize: 0 })).toThrow('buffersize must be None or > 0')
      expect(() => ex.map(identity, [1], { buffersize: -1 })).toThrow(RangeError)
      expect(() => ex.map(identity, [1], { buffersize: 2.5 })).toThrow('buffersize must be an integer or None')
      expect(() => ex.map(identity, [1], { buffersize: 'foo' as never })).toThrow(TypeError)
      expect(() => ex.map(identity, 42 as never)).toThrow(TypeError)
    })

    it('times out counting from the map() call, cancelling the awaited and the queued calls', { timeout }, async () => {
      const ex = await make(1)
      const gate = latch()
      const record = recorder()
      const first = ex.submit(recordAndWait, record.path, gate.path, 'first')
      await until(() => record.lines().length === 1, 'the first task to start')
      const iterator = ex.map(recordAndWait, [record.path, record.path], [gate.path, gate.path], ['second', 'third'], {
        timeout: 0,
      })
      expect(await rejection(iterator.next())).toBeInstanceOf(TimeoutError)
      expect(await iterator.next()).toEqual({ value: undefined, done: true })
      gate.release()
      expect(await first).toBe('first')
      await ex.shutdown({ wait: true })
      expect(record.lines()).toEqual(['first started', 'first stopped'])
    })

    it('break cancels the calls not yet started', { timeout }, async () => {
      const ex = await make(1)
      const gate = latch()
      const record = recorder()
      const items = ['a', 'b', 'c', 'd', 'e']
      for await (const value of ex.map(
        recordAndWait,
        items.map(() => record.path),
        items.map((item) => (item === 'a' ? tempDir() : gate.path)),
        items,
      )) {
        expect(value).toBe('a')
        break
      }
      gate.release()
      await ex.shutdown({ wait: true })
      const started = record.lines().filter((line) => String(line).endsWith('started'))
      expect(started.length).toBeLessThanOrEqual(2)
      expect(started).not.toContain('c started')
    })
  })

  describe('shutdown', () => {
    it('waits for every queued task by default', { timeout }, async () => {
      const ex = await make(3)
      const fs = Array.from({ length: 20 }, (_, i) => ex.submit(sleepThen, 2, i))
      await ex.shutdown()
      expect(fs.every((f) => f.done() && !f.cancelled())).toBe(true)
      expect(await Promise.all(fs.map((f) => f.result()))).toEqual(Array.from({ length: 20 }, (_, i) => i))
    })

    it('cancelFutures cancels the queued futures only', { timeout }, async () => {
      const ex = await make(2)
      const gate = latch()
      const fs = Array.from({ length: 20 }, (_, i) => ex.submit(waitForLatch, gate.path, i))
      await until(() => fs.filter((f) => f.running()).length === 2, 'two tasks to run')
      const stopping = ex.shutdown({ cancelFutures: true })
      gate.release()
      await stopping
      const cancelled = fs.filter((f) => f.cancelled())
      expect(cancelled.length).toBeGreaterThanOrEqual(10)
      const finished = fs.filter((f) => !f.cancelled())
      expect(finished.length).toBeGreaterThanOrEqual(1)
      for (const f of finished) expect(await f.exception()).toBeUndefined()
      const { done } = await wait(cancelled, { timeout: 5000 })
      expect(done.size).toBe(cancelled.length)
    })

    it('after a finished and a cancelled future, shutdown() returns', { timeout }, async () => {
      const ex = await make(1)
      expect(await ex.submit(pow, 1, 1)).toBe(1)
      const gate = latch()
      const blocker = ex.submit(waitForLatch, gate.path)
      ex.submit(pow, 1, 1).cancel()
      gate.release()
      await ex.shutdown({ wait: true })
      expect(blocker.done()).toBe(true)
    })

    it('wait: false returns at once and the queued work still finishes', { timeout }, async () => {
      const ex = await make(2)
      const gate = latch()
      const fs = Array.from({ length: 6 }, (_, i) => ex.submit(waitForLatch, gate.path, i))
      await ex.shutdown({ wait: false })
      expect(fs.some((f) => f.done())).toBe(false)
      gate.release()
      expect(await Promise.all(fs.map((f) => f.result()))).toEqual([0, 1, 2, 3, 4, 5])
    })

    it('map() then shutdown() at once does not hang', { timeout }, async () => {
      const ex = await make(2)
      const results = ex.map(String, [2, 2, 2])
      await ex.shutdown()
      expect(await collect(results)).toEqual(['2', '2', '2'])
    })

    it('await using shuts down and waits at the end of the block', { timeout }, async () => {
      let f: Future | undefined
      {
        await using ex = await make(2)
        f = ex.submit(sleepThen, 20, 'late')
      }
      expect(f.done()).toBe(true)
      expect(await f).toBe('late')
    })
  })
}
