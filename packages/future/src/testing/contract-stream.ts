/**
 * The conformance tests of `executor.stream(fn, ...args, { highWaterMark })`: values in order,
 * backpressure, `break` aborting the task, the generator's error reaching the consumer, cancel
 * of a stream that has not started. A backend opts in with `{ stream: true }`.
 *
 * @module
 */
import { describe, expect, it } from 'vitest'
import type { Executor, StreamOptions } from '../index.js'
import { collect, rejection, until } from './harness.js'
import type { Suite } from './harness.js'
import { countTo, countUntilClosed, countWithProgress, notAGenerator, pow, recordEachYield, waitForLatch, wordsOf, yieldThenThrow } from './tasks.js'

/** An executor with `stream()`. */
type Streaming = Executor & {
  stream(fn: unknown, ...argsAndOptions: unknown[]): AsyncIterableIterator<unknown>
}

async function make(suite: Suite, maxWorkers: number): Promise<Streaming> {
  const ex = (await suite.make(maxWorkers)) as Streaming
  expect(typeof ex.stream).toBe('function')
  return ex
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** @internal */
export function describeStreamContract(suite: Suite): void {
  const { timeout } = suite

  describe('stream()', () => {
    it('yields what the generator yields, in order, sync and async generators alike', { timeout }, async () => {
      const ex = await make(suite, 2)
      expect(await collect(ex.stream(countTo, 50, 0))).toEqual(Array.from({ length: 50 }, (_, i) => i))
      expect(await collect(ex.stream(countTo, 5, 1, { highWaterMark: 1 } satisfies StreamOptions))).toEqual([0, 1, 2, 3, 4])
      expect(await collect(ex.stream(wordsOf, 'a b c', { highWaterMark: 2, name: 'words' } satisfies StreamOptions))).toEqual(['a', 'b', 'c'])
      expect(await collect(ex.stream(countTo, 0, 0))).toEqual([])
    })

    it('pauses the generator while highWaterMark values wait for the consumer', { timeout }, async () => {
      const ex = await make(suite, 1)
      const record = suite.recorder()
      const stream = ex.stream(recordEachYield, record.path, 100, { highWaterMark: 4 })
      expect((await stream.next()).value).toBe(0)
      await until(() => record.lines().length >= 5, 'the generator to fill the buffer')
      await pause(50)
      // the one taken, 4 waiting, and at most the one whose yield is paused
      expect(record.lines().length).toBeLessThanOrEqual(6)
      const rest = await collect(stream)
      expect(rest).toEqual(Array.from({ length: 99 }, (_, i) => i + 1))
      expect(record.lines()).toHaveLength(100)
    })

    it('break aborts the task through its signal and closes the generator; the worker is free again', { timeout }, async () => {
      const ex = await make(suite, 1)
      const record = suite.recorder()
      const seen: unknown[] = []
      for await (const value of ex.stream(countUntilClosed, record.path, { highWaterMark: 2 })) {
        seen.push(value)
        if (value === 3) break
      }
      expect(seen).toEqual([0, 1, 2, 3])
      await until(() => record.lines().includes('closed'), 'the generator to be closed')
      expect(record.lines()).toEqual(['aborted', 'closed'])
      expect(await ex.submit(pow, 2, 3)).toBe(8)
      await until(() => ex.stats().running === 0, 'the stream task to end')
    })

    it("the generator's error reaches the consumer with its class and properties, after the values before it", { timeout }, async () => {
      const ex = await make(suite, 1)
      const stream = ex.stream(yieldThenThrow, 3)
      const values: unknown[] = []
      const error = (await rejection(
        (async () => {
          for await (const value of stream) values.push(value)
        })(),
      )) as RangeError & { code: string; row: number }
      expect(values).toEqual([0, 1, 2])
      expect(error).toBeInstanceOf(RangeError)
      expect([error.message, error.code, error.row]).toEqual(['row 3 is bad', 'E_ROW', 3])
      expect(await stream.next()).toEqual({ value: undefined, done: true })
    })

    it('a stream abandoned before it started cancels its task, which never runs', { timeout }, async () => {
      const ex = await make(suite, 1)
      const gate = suite.latch()
      const blocker = ex.submit(waitForLatch, gate.path, 'blocker')
      await until(() => blocker.running(), 'the blocker to start')
      const record = suite.recorder()
      const stream = ex.stream(recordEachYield, record.path, 3)
      expect(await stream.return?.()).toEqual({ value: undefined, done: true })
      expect(await stream.next()).toEqual({ value: undefined, done: true })
      gate.release()
      expect(await blocker).toBe('blocker')
      expect(await ex.submit(pow, 3, 2)).toBe(9)
      expect(record.lines()).toEqual([])
      expect(ex.stats().cancelled).toBe(1)
    })

    it("the options' onProgress hears the generator's progress reports, the last one before the end", { timeout }, async () => {
      const ex = await make(suite, 1)
      const reports: unknown[] = []
      const values = await collect(ex.stream(countWithProgress, 5, { onProgress: (value: unknown) => reports.push(value) }))
      expect(values).toEqual([0, 1, 2, 3, 4])
      expect(reports.length).toBeGreaterThan(0)
      expect(reports.at(-1)).toEqual({ done: 5, of: 5 })
      expect(() => ex.stream(countTo, 1, 0, { onProgress: 'no' })).toThrow(TypeError)
    })

    it("the options' signal ends the stream; bad input is refused", { timeout }, async () => {
      const ex = await make(suite, 1)
      const record = suite.recorder()
      const controller = new AbortController()
      const ticking = ex.stream(countUntilClosed, record.path, { signal: controller.signal })
      expect((await ticking.next()).value).toBe(0)
      controller.abort()
      expect(await ticking.next()).toEqual({ value: undefined, done: true })
      await until(() => record.lines().includes('closed'), 'the generator to be closed')

      expect(() => ex.stream(countTo, 1, 0, { highWaterMark: 0 })).toThrow(RangeError)
      expect(() => ex.stream(countTo, 1, 0, { highWaterMark: 1.5 })).toThrow(RangeError)
      const notGenerator = ex.stream(notAGenerator)
      expect(String(await rejection(notGenerator.next()))).toMatch(/must be a generator function/)
    })
  })
}
