// Progress and stream() across Redis: what the conformance suite cannot see from outside (the
// writes a tight loop of reports costs, the keys an abandoned stream leaves, a worker killed
// mid-stream, the generator held back by credits), on real worker processes.
import { describe, expect, it } from 'vitest'
import { AsyncPoolExecutor, task } from '@x/future'
import { DistributedExecutor, WorkerLostError, serve } from '@x/distributed'
import { fileURLToPath } from 'node:url'
import { startProcess } from '../../../scripts/test-utils/processes.mjs'
import { REDIS_URL, cleanUpAfterAll, countCommands, freshQueue, hasRedis, leftoverKeys, requireRedisInCi, root, startWorker, until, recordedLines, scratchFiles } from './helpers.js'

requireRedisInCi()
cleanUpAfterAll()

const tasks = new URL('tasks.mjs', root)
const reportEachTurn = task<(n: number) => Promise<number>>(tasks, 'reportEachTurn')
const add = task<(a: number, b: number) => number>(tasks, 'add')
const recordEach = task<(record: string, n?: number, ms?: number) => AsyncGenerator<number>>(tasks, 'recordEach')
const recordStart = task<() => AsyncGenerator<number>>(new URL('slow-import.mjs', root), 'recordStart')
const failAfter = task<(n: number) => Generator<number>>(tasks, 'failAfter')
const yieldUnsendable = task<() => Generator>(tasks, 'yieldUnsendable')

/** The worker's limit on progress writes (progress-writer.ts): one per job per 50 ms. */
const PROGRESS_WRITE_INTERVAL_MS = 50

const file = scratchFiles('x-dist-stream-')

const lines = recordedLines
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

describe.skipIf(!hasRedis)('progress across Redis', () => {
  it('a report every turn of the event loop costs at most one Redis write per 50 ms; listeners see the last report, never after the future is done', { timeout: 30_000 }, async () => {
    const queue = freshQueue('progress')
    await startWorker({ queue, concurrency: 1 })
    await using ex = new DistributedExecutor({ connection: REDIS_URL, queue, root, maxWorkers: 1 })
    // every RPUSH of a progress envelope to this queue's result lists, as Redis saw it
    const monitor = await countCommands(new RegExp(`"rpush" "x:${queue}:results:[^"]*" ".*progress`, 'iu'))
    try {
      const n = 3000
      const startedAt = performance.now()
      const f = ex.submit(reportEachTurn, n)
      const seen: unknown[] = []
      const doneWhenCalled: boolean[] = []
      f.onProgress((value) => {
        seen.push(value)
        doneWhenCalled.push(f.done())
      })
      expect(await f).toBe(n)
      const elapsed = performance.now() - startedAt
      const writes = await monitor.stop()
      // the next job runs on the same worker: any late report of the first would have come by now
      expect(await ex.submit(add, 1, 2)).toBe(3)
      await pause(100)
      expect(seen.at(-1)).toBe(n)
      expect(doneWhenCalled.every((done) => !done)).toBe(true)
      expect((seen as number[]).every((value, i) => i === 0 || value > (seen[i - 1] as number))).toBe(true)
      expect(writes).toBeGreaterThan(0)
      // n reports, bounded by the interval over the time the whole call took (plus the first and the last)
      expect(writes).toBeLessThanOrEqual(Math.floor(elapsed / PROGRESS_WRITE_INTERVAL_MS) + 2)
      expect(writes).toBeLessThan(n)
    } finally {
      await monitor.stop()
    }
  })
})

describe.skipIf(!hasRedis)('stream() across Redis', () => {
  it('a stream abandoned half way aborts the remote task, closes its generator, and leaves no key behind', { timeout: 30_000 }, async () => {
    const queue = freshQueue('abandon')
    await startWorker({ queue, concurrency: 1 })
    const ex = new DistributedExecutor({ connection: REDIS_URL, queue, root, maxWorkers: 1 })
    const record = file('abandon')
    const seen: number[] = []
    for await (const value of ex.stream(recordEach, record, undefined, 1, { highWaterMark: 2 })) {
      seen.push(value)
      if (value === 5) break
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5])
    await until(() => lines(record).includes('closed'), 'the generator to be closed')
    // The task's signal aborted, then the generator was closed, and never advanced after the abort.
    // A step already running when the abort landed (it pulled ahead on credit, or in the local
    // executor) finishes and records its value: nothing can stop an await inside the generator.
    const recorded = lines(record)
    const afterAbort = recorded.slice(recorded.indexOf('aborted') + 1)
    expect(recorded).toContain('aborted')
    expect(recorded).not.toContain('advanced after abort')
    expect(afterAbort.at(-1)).toBe('closed')
    expect(afterAbort.length).toBeLessThanOrEqual(2) // at most the value of the step in flight, then "closed"
    // the worker is free again, and the executor settled the stream's future
    expect(await ex.submit(add, 2, 3)).toBe(5)
    await until(() => ex.stats().running === 0, 'the stream task to end')
    await ex.shutdown()
    await until(async () => (await leftoverKeys(queue)).length === 0, 'no keys but the queue bookkeeping').catch(async (error: unknown) => {
      throw new Error(`left in Redis: ${(await leftoverKeys(queue)).join(', ')}`, { cause: error })
    })
  })

  it('a stream aborted while its worker still imports the module ends, and its generator never starts', { timeout: 30_000 }, async () => {
    const queue = freshQueue('abort-import')
    const record = file('abort-import')
    process.env.X_TEST_SLOW_IMPORT_RECORD = record
    try {
      await startWorker({ queue, concurrency: 1 })
    } finally {
      delete process.env.X_TEST_SLOW_IMPORT_RECORD
    }
    await using ex = new DistributedExecutor({ connection: REDIS_URL, queue, root, maxWorkers: 1 })
    const controller = new AbortController()
    const values: number[] = []
    const consumed = (async () => {
      for await (const value of ex.stream(recordStart, { signal: controller.signal })) values.push(value)
    })()
    await until(() => lines(record).includes('importing'), 'the worker to import the module')
    controller.abort(new RangeError('stop now'))
    await consumed // an aborted stream ends as return() ends it
    expect(values).toEqual([])
    // the worker (one slot) runs this only once the stream's job has ended there
    expect(await ex.submit(add, 2, 3)).toBe(5)
    // the import ended once the worker's task had seen the abort; the generator never ran
    expect(lines(record)).toEqual(['importing', 'imported after the abort'])
  })

  it("the generator's error reaches the consumer after the values before it, with its class, code, own properties and cause", { timeout: 30_000 }, async () => {
    const queue = freshQueue('stream-error')
    await startWorker({ queue, concurrency: 1 })
    await using ex = new DistributedExecutor({ connection: REDIS_URL, queue, root, maxWorkers: 1 })
    const values: number[] = []
    let caught: unknown
    try {
      for await (const value of ex.stream(failAfter, 3)) values.push(value)
    } catch (error) {
      caught = error
    }
    expect(values).toEqual([0, 1, 2])
    const error = caught as RangeError & { code: string; row: bigint }
    expect(error).toBeInstanceOf(RangeError)
    expect([error.message, error.code, error.row]).toEqual(['row 3 is bad', 'E_ROW', 3n])
    expect(error.cause).toBeInstanceOf(TypeError)
    expect((error.cause as Error).message).toBe('inner')
    expect(error.stack).toContain('fixtures/root/tasks.mjs')

    // a value that cannot be sent fails the stream with a message that says so, after the ones before it
    const sent: unknown[] = []
    let unsendable: unknown
    try {
      for await (const value of ex.stream(yieldUnsendable)) sent.push(value)
    } catch (e) {
      unsendable = e
    }
    expect(sent).toEqual([1])
    expect(unsendable).toBeInstanceOf(TypeError)
    expect(String(unsendable)).toMatch(/cannot be sent to its executor.*v8 serialization/)
  })

  it('a worker SIGKILLed mid-stream ends the stream with WorkerLostError after the values it sent (a stream is never retried)', { timeout: 30_000 }, async () => {
    const queue = freshQueue('stream-kill')
    const worker = await startWorker({ queue, concurrency: 1 })
    await using ex = new DistributedExecutor({ connection: REDIS_URL, queue, root, maxWorkers: 1, retries: 2, checkInterval: 200 })
    const record = file('kill')
    const stream = ex.stream(recordEach, record, undefined, 5, { highWaterMark: 4 })
    const seen: number[] = []
    let caught: unknown
    try {
      for await (const value of stream) {
        seen.push(value)
        if (value === 2) {
          process.kill(-(worker.child.pid ?? 0), 'SIGKILL')
          expect(await worker.exited).toBe('SIGKILL')
        }
      }
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(WorkerLostError)
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => i))
    expect(seen.length).toBeGreaterThanOrEqual(3)
    // never run again (retries apply to calls, not to streams whose values were consumed)
    expect(lines(record).filter((line) => line === '0')).toHaveLength(1)
  })

  it('a consumer that dies mid-stream: its worker stops the stream after its silence, closes the generator and serves again', { timeout: 30_000 }, async () => {
    const queue = freshQueue('consumer-gone')
    await startWorker({ queue, concurrency: 1 })
    const record = file('consumer-gone')
    const client = await startProcess(fileURLToPath(new URL('./fixtures/stream-client.mjs', import.meta.url)), [queue, root.href, record], /took 0/, 'stream client')
    process.kill(-(client.child.pid ?? 0), 'SIGKILL')
    expect(await client.exited).toBe('SIGKILL')
    // the client's check interval is 100 ms: the worker waits max(5 s, 10 intervals) for a credit
    await until(() => lines(record).includes('closed'), 'the worker to close the generator', 20_000)
    expect(lines(record).filter((line) => /^\d+$/.test(line)).length).toBeLessThanOrEqual(1 + 2 + 1)
    await using ex = new DistributedExecutor({ connection: REDIS_URL, queue, root, maxWorkers: 1 })
    expect(await ex.submit(add, 20, 22)).toBe(42)
  })

  it('holds the generator back across Redis: it runs at most highWaterMark values (and one in the local executor) ahead of the consumer', { timeout: 30_000 }, async () => {
    const queue = freshQueue('backpressure')
    await startWorker({ queue, concurrency: 1 })
    await using ex = new DistributedExecutor({ connection: REDIS_URL, queue, root, maxWorkers: 1 })
    for (const highWaterMark of [1, 3]) {
      const record = file(`backpressure-${String(highWaterMark)}`)
      const stream = ex.stream(recordEach, record, 40, 0, { highWaterMark })
      const taken: number[] = []
      for (let i = 0; i < 2; i++) taken.push((await stream.next()).value as number)
      const values = (): string[] => lines(record).filter((line) => /^\d+$/.test(line))
      await until(() => values().length >= 2 + highWaterMark, 'the generator to fill the credit')
      await pause(300)
      expect(values().length).toBeLessThanOrEqual(2 + highWaterMark + 1)
      for await (const value of stream) taken.push(value)
      expect(taken).toEqual(Array.from({ length: 40 }, (_, i) => i))
      expect(values()).toHaveLength(40)
    }
  })

  it("a worker whose executor has no stream() fails the stream with a message that says which executors do", { timeout: 30_000 }, async () => {
    const queue = freshQueue('no-stream')
    const local = new AsyncPoolExecutor({ maxWorkers: 1 })
    Object.defineProperty(local, 'stream', { value: undefined })
    await using worker = await serve({ connection: REDIS_URL, queue, root, executor: local })
    await using ex = new DistributedExecutor({ connection: REDIS_URL, queue, root, maxWorkers: 1 })
    const stream = ex.stream(failAfter, 1)
    await expect(stream.next()).rejects.toThrow(/has no stream\(\): serve\(\) it with an executor/)
    expect(await ex.submit(add, 1, 1)).toBe(2)
    expect(worker.running).toBe(0)
    await local.shutdown()
  })
})
